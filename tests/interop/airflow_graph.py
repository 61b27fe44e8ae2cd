#!/usr/bin/env python3
"""Executes an Airflow DAG file against the stand-ins in airflow_stub/ and prints what it built.

    airflow_graph.py DAG_FILE  ->  {"dag_id", "settings", "tasks": {id: {operator, ...}}, "edges"}
"""
import datetime
import json
import os
import runpy
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "airflow_stub"))
import airflow  # noqa: E402  (the stand-in)


def plain(v):
    if isinstance(v, datetime.timedelta):
        return v.total_seconds()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


runpy.run_path(sys.argv[1], run_name="__dag__")
if len(airflow.DAGS) != 1:
    sys.exit("expected one DAG, got %d" % len(airflow.DAGS))
dag = airflow.DAGS[0]
out = {
    "dag_id": dag.dag_id,
    "settings": plain(dag.kwargs),
    "tasks": {tid: dict(plain(op.kwargs), operator=type(op).__name__) for tid, op in dag.operators.items()},
    "edges": sorted([list(e) for e in dag.edges]),
}
print(json.dumps(out, indent=1, sort_keys=True))
