"""The serving peer of `npm run bench -- --serve`: the PyTorch package that `mtl compile --target pytorch`
generates, with the weights `mtl convert --to pytorch` wrote from the same model directory, behind a minimal
HTTP server from the standard library. POST /v1/predict takes the body `mtl serve` takes,
{"rows": [{column: value, ...}, ...]}, and does what the package's predict.py does per batch: the
package's own preprocessing (data.Preprocessor.encode, with the fitted preprocess.json), the forward pass
under torch.no_grad(), the named outputs (objective.Objective.outputs); it answers
{"predictions": [{output: score, ...}, ...]}. A bad body gets 400 with {"error": "..."}.

    python3 serve_peer.py --package PKG --weights DIR [--port 0] [--threads 1]

It prints `listening on http://127.0.0.1:PORT` on stderr once it accepts requests. ThreadingHTTPServer
with HTTP/1.1 keep-alive (the load generator keeps its connections open) and TCP_NODELAY (the status line
and body are separate writes: without it Nagle's algorithm delays every answer by up to 40 ms).
"""
import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def build_scorer(package, weights_dir, threads):
    """A function rows → predictions, built from the generated package and converted weights."""
    sys.path.insert(0, os.path.abspath(package))
    import torch

    import data
    import objective
    import weights
    from model import Model

    torch.set_num_threads(threads)
    with open(os.path.join(package, "ir.json"), encoding="utf-8") as f:
        ir = json.load(f)
    model = Model()
    weights.load_into(model, weights.load(os.path.join(weights_dir, "model.safetensors")))
    model.eval()
    pre = data.Preprocessor(ir, package, data.load_state_file(os.path.join(weights_dir, "preprocess.json")))
    pre.labels = []
    obj = objective.Objective(ir)

    def score(rows):
        # The records predict.py reads carry their row number (used in error messages only).
        records = [dict(r, __row__=i) for i, r in enumerate(rows)]
        with torch.no_grad():
            inputs, _, _ = pre.encode(records, "request")
            outputs = {k: v for k, v in obj.outputs(model(inputs)).items() if not k.startswith("gate__")}
        columns = {k: v.tolist() for k, v in outputs.items()}
        return [{k: col[i] for k, col in columns.items()} for i in range(len(records))]

    return score, data.DataError


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--package", required=True, help="the directory mtl compile --target pytorch wrote")
    p.add_argument("--weights", required=True, help="the directory mtl convert --to pytorch wrote")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1, as the training peer)")
    args = p.parse_args()
    score, data_error = build_scorer(args.package, args.weights, args.threads)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *a):  # no access log: it would be the bottleneck
            pass

        def answer(self, status, body):
            text = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            if self.path != "/v1/predict":
                return self.answer(404, {"error": f"unknown path {self.path}"})
            try:
                body = json.loads(raw)
                rows = body["rows"]
                if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                    raise ValueError("'rows' must be an array of objects")
                predictions = score(rows)
            except (ValueError, KeyError, TypeError, data_error) as e:
                return self.answer(400, {"error": str(e)})
            self.answer(200, {"predictions": predictions})

    # The default listen backlog (5) drops connections when 64 clients connect at once.
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(f"listening on http://{args.host}:{server.server_address[1]}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
