#!/usr/bin/python3
"""Prints an Avro container file as JSON, read with Apache Avro's own Python package.

Used by the C++ interop tests to prove a third-party parser reads what ldp writes:
  /usr/bin/python3 tests/interop/avro_dump.py FILE
Output: {"metadata": {key: str}, "schema": <writer schema as the parser understood it>,
         "records": [...]} with bytes as {"hex": "..."} and logical values (dates, decimals) as str.
Needs Debian's python3-avro (scripts/setup.sh --test).
"""
import json
import sys
import warnings

import avro.datafile
import avro.io


def to_json(o):
    if isinstance(o, (bytes, bytearray)):
        return {"hex": bytes(o).hex()}
    return str(o)


def main(path):
    warnings.simplefilter("ignore")  # unknown logical types such as Iceberg's "map" are expected
    with open(path, "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        metadata = {k: v.decode("utf-8", "replace") for k, v in reader.meta.items()}
        schema = reader.datum_reader.writers_schema.to_json()
        records = list(reader)
        reader.close()
    json.dump({"metadata": metadata, "schema": schema, "records": records}, sys.stdout,
              default=to_json)


if __name__ == "__main__":
    main(sys.argv[1])
