/**
 * A census-like synthetic generator: the column names and value vocabularies of UCI Census-Income (KDD)
 * as the MMoE paper uses it, with labels planted from a small latent model. It lets the reference specs
 * (which are written for the real census columns) train with no download; the real file reproduces the
 * paper (`npm run repro`).
 *
 * Planted structure: income > 50K depends on age, education, weeks worked, class of worker, sex and capital
 * gains; never-married depends mostly on age and the household-summary column, with a weak link to income
 * (the real task correlation is ~0.18). Columns that carry no signal are drawn from realistic vocabularies.
 */
import type { JsonValue } from '../ir/types.js';
import { Rng } from './prng.js';

const EDUCATION = [
  'Children', 'Less than 1st grade', '1st 2nd 3rd or 4th grade', '5th or 6th grade', '7th and 8th grade', '9th grade',
  '10th grade', '11th grade', '12th grade no diploma', 'High school graduate', 'Some college but no degree',
  'Associates degree-occup /vocational', 'Associates degree-academic program', 'Bachelors degree(BA AB BS)',
  'Masters degree(MA MS MEng MEd MSW MBA)', 'Prof school degree (MD DDS DVM LLB JD)', 'Doctorate degree(PhD EdD)',
];
const CLASS_WORKER = ['Not in universe', 'Private', 'Self-employed-not incorporated', 'Local government', 'State government', 'Self-employed-incorporated', 'Federal government', 'Never worked', 'Without pay'];
const MARITAL_OTHER = ['Married-civilian spouse present', 'Divorced', 'Widowed', 'Separated', 'Married-spouse absent', 'Married-A F spouse present'];
const HH_SUMM = ['Householder', 'Spouse of householder', 'Child under 18 never married', 'Child 18 or older', 'Other relative of householder', 'Nonrelative of householder', 'Group Quarters- Secondary individual'];
const RACE = ['White', 'Black', 'Asian or Pacific Islander', 'Other', 'Amer Indian Aleut or Eskimo'];
const STATES = ['Not in universe', 'California', 'Utah', 'Florida', 'North Carolina', 'Abroad', 'Oklahoma', 'Minnesota', 'Indiana', 'Texas'];
const COUNTRIES = ['United-States', 'Mexico', '?', 'Philippines', 'Germany', 'Canada', 'Puerto-Rico', 'China', 'India', 'England'];
const YES_NO = ['Not in universe', 'Yes', 'No'];

/** The census columns the generator writes (the reference specs' features and label columns). */
export const CENSUS_COLUMNS = [
  'age', 'class_worker', 'det_ind_code', 'det_occ_code', 'education', 'wage_per_hour', 'hs_college', 'marital_stat',
  'major_ind_code', 'major_occ_code', 'race', 'hisp_origin', 'sex', 'union_member', 'unemp_reason', 'full_or_part_emp',
  'capital_gains', 'capital_losses', 'stock_dividends', 'tax_filer_stat', 'region_prev_res', 'state_prev_res',
  'det_hh_fam_stat', 'det_hh_summ', 'mig_chg_msa', 'mig_chg_reg', 'mig_move_reg', 'mig_same', 'mig_prev_sunbelt',
  'num_emp', 'fam_under_18', 'country_father', 'country_mother', 'country_self', 'citizenship', 'own_or_self',
  'vet_question', 'vet_benefits', 'weeks_worked', 'year', 'income_50k',
] as const;

/** The generator's parameters. */
export const CENSUS_PARAMS: Record<string, { default: JsonValue; description: string }> = {
  signal: { default: 1, description: 'Scale of the planted label logits (higher: easier tasks).' },
};

/** Generate `rows` census-like records, deterministic for a seed. */
export function* generateCensus(rows: number, params: Record<string, JsonValue>, seed: number): Iterable<Record<string, string | number>> {
  const rng = new Rng(seed ^ 0x51ce);
  const rand = () => rng.next();
  const signal = typeof params.signal === 'number' ? params.signal : 1;
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const normal = () => rng.normal();
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  for (let i = 0; i < rows; i++) {
    const age = Math.max(0, Math.min(90, Math.round(38 + 19 * normal())));
    const child = age < 18;
    const eduLevel = child ? Math.min(8, Math.floor(age / 2)) : Math.min(16, Math.max(0, Math.round(10 + 2.5 * normal())));
    const education = child ? EDUCATION[0]! : EDUCATION[eduLevel]!;
    const sex = rand() < 0.52 ? 'Female' : 'Male';
    const worker = child ? 'Not in universe' : pick(CLASS_WORKER);
    const weeks = child ? 0 : Math.round(Math.max(0, Math.min(52, 40 + 20 * normal())));
    const gains = rand() < 0.05 ? Math.round(Math.exp(7 + 2 * rand())) : 0;
    // never married: young people, children, and a weak link to (low) income, as in the real data.
    const incomeLogit = signal * (-4.2 + 0.55 * (eduLevel - 10) + 0.06 * Math.min(age - 18, 30) * (age > 18 ? 1 : 0) + 0.05 * (weeks - 30) + (sex === 'Male' ? 0.8 : 0) + (worker.startsWith('Self-employed-inc') ? 1.2 : 0) + (gains > 0 ? 1.8 : 0) - (age > 65 ? 1 : 0));
    const income = rand() < sigmoid(incomeLogit) ? 1 : 0;
    const marriedLogit = signal * (child ? -6 : 3.2 - 0.12 * (age - 18) + (income ? -0.7 : 0.2) + 0.6 * normal());
    const neverMarried = child || rand() < sigmoid(marriedLogit);
    const maritalStat = neverMarried ? 'Never married' : pick(MARITAL_OTHER);
    const withSpouse = maritalStat.startsWith('Married') && maritalStat !== 'Married-spouse absent';
    // Household role and tax filing status follow marital status as in the real data, but no value of them
    // identifies it: divorced and widowed people file as 'Single' too, never-married adults head households,
    // and some of every group file nothing (a column that equals a label would make its task trivial).
    const hh = child
      ? 'Child under 18 never married'
      : neverMarried
        ? pick(['Child 18 or older', 'Child 18 or older', 'Nonrelative of householder', 'Householder', 'Other relative of householder'])
        : withSpouse
          ? pick(['Householder', 'Spouse of householder', 'Spouse of householder'])
          : pick(['Householder', 'Other relative of householder', 'Nonrelative of householder', 'Child 18 or older']);
    const taxFiler = child || rand() < 0.08 ? 'Nonfiler' : withSpouse ? pick(['Joint both under 65', 'Joint both under 65', 'Joint both 65+', 'Joint one under 65 & one 65+']) : pick(['Single', 'Single', 'Head of household']);
    const indCode = child ? 0 : 1 + Math.floor(rand() * 51);
    const occCode = child ? 0 : 1 + Math.floor(rand() * 46);
    yield {
      age,
      class_worker: worker,
      det_ind_code: indCode,
      det_occ_code: occCode,
      education,
      wage_per_hour: child || rand() < 0.9 ? 0 : Math.round(300 + 900 * rand()),
      hs_college: child ? 'Not in universe' : pick(['Not in universe', 'High school', 'College or university']),
      marital_stat: maritalStat,
      major_ind_code: child ? 'Not in universe or children' : `Industry ${indCode % 24}`,
      major_occ_code: child ? 'Not in universe' : `Occupation ${occCode % 15}`,
      race: pick(RACE),
      hisp_origin: rand() < 0.9 ? 'All other' : pick(['Mexican (Mexicano)', 'Puerto Rican', 'Cuban', 'Other Spanish']),
      sex,
      union_member: pick(YES_NO),
      unemp_reason: rand() < 0.97 ? 'Not in universe' : pick(['Job loser - on layoff', 'Re-entrant', 'New entrant']),
      full_or_part_emp: child ? 'Children or Armed Forces' : pick(['Full-time schedules', 'Not in labor force', 'PT for non-econ reasons usually FT']),
      capital_gains: gains,
      capital_losses: rand() < 0.02 ? Math.round(1500 + 500 * rand()) : 0,
      stock_dividends: rand() < 0.1 ? Math.round(Math.exp(4 + 3 * rand())) : 0,
      tax_filer_stat: taxFiler,
      region_prev_res: pick(['Not in universe', 'South', 'West', 'Midwest', 'Northeast', 'Abroad']),
      state_prev_res: pick(STATES),
      det_hh_fam_stat: child ? 'Child <18 never marr not in subfamily' : hh === 'Householder' ? 'Householder' : hh === 'Spouse of householder' ? 'Spouse of householder' : hh === 'Child 18 or older' ? 'Child 18+ never marr Not in a subfamily' : 'Nonfamily householder',
      det_hh_summ: hh,
      mig_chg_msa: pick(['Nonmover', 'MSA to MSA', '?', 'Not in universe']),
      mig_chg_reg: pick(['Nonmover', 'Same county', '?', 'Not in universe']),
      mig_move_reg: pick(['Nonmover', 'Same county', '?', 'Not in universe']),
      mig_same: pick(['Not in universe under 1 year old', 'Yes', 'No']),
      mig_prev_sunbelt: pick(['?', 'Not in universe', 'No', 'Yes']),
      num_emp: child ? 0 : Math.floor(rand() * 7),
      fam_under_18: child ? pick(['Both parents present', 'Mother only present', 'Father only present']) : 'Not in universe',
      country_father: pick(COUNTRIES),
      country_mother: pick(COUNTRIES),
      country_self: rand() < 0.88 ? 'United-States' : pick(COUNTRIES),
      citizenship: rand() < 0.88 ? 'Native- Born in the United States' : pick(['Foreign born- Not a citizen of U S', 'Foreign born- U S citizen by naturalization']),
      own_or_self: rand() < 0.9 ? 0 : pick([1, 2]),
      vet_question: 'Not in universe',
      vet_benefits: child ? 0 : pick([1, 2]),
      weeks_worked: weeks,
      year: pick([94, 95]),
      income_50k: income ? '50000+.' : '- 50000.',
    };
  }
}
