"""Tests of the `ldp` Python module against a real project in a temporary folder.

Run: PYTHONPATH=build/python python3 -m unittest discover -s python/tests
LDP_TEST_BIN names the `ldp` command, used to check that Python and the CLI see the same table.
"""

import csv
import ctypes
import decimal
import json
import os
import subprocess
import tempfile
import threading
import unittest

import ldp


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "price", "qty"])
        w.writerows(rows)


# The Arrow C data/stream interface structures, to read an ArrowStream the way any Arrow consumer
# does without depending on pyarrow (not packaged for Debian 12).
class ArrowSchema(ctypes.Structure):
    pass


ArrowSchema._fields_ = [
    ("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_void_p),
    ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowSchema))), ("dictionary", ctypes.c_void_p),
    ("release", ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowSchema))), ("private_data", ctypes.c_void_p)]


class ArrowArray(ctypes.Structure):
    pass


ArrowArray._fields_ = [
    ("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("buffers", ctypes.POINTER(ctypes.c_void_p)),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowArray))), ("dictionary", ctypes.c_void_p),
    ("release", ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArray))), ("private_data", ctypes.c_void_p)]


class ArrowArrayStream(ctypes.Structure):
    pass


ArrowArrayStream._fields_ = [
    ("get_schema", ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ArrowSchema))),
    ("get_next", ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ArrowArray))),
    ("get_last_error", ctypes.CFUNCTYPE(ctypes.c_char_p, ctypes.POINTER(ArrowArrayStream))),
    ("release", ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArrayStream))), ("private_data", ctypes.c_void_p)]


def read_arrow_capsule(capsule):
    """Takes the stream out of an 'arrow_array_stream' capsule (as a consumer does: it moves the
    structure and marks the capsule's copy released) and returns (formats, names, columns 0 and 1
    as Python lists of int64 / utf8-or-None)."""
    get_ptr = ctypes.pythonapi.PyCapsule_GetPointer
    get_ptr.restype = ctypes.c_void_p
    get_ptr.argtypes = [ctypes.py_object, ctypes.c_char_p]
    src = ArrowArrayStream.from_address(get_ptr(capsule, b"arrow_array_stream"))
    stream = ArrowArrayStream()
    ctypes.pointer(stream)[0] = src
    ctypes.memset(ctypes.addressof(src), 0, ctypes.sizeof(ArrowArrayStream))  # moved out
    schema = ArrowSchema()
    assert stream.get_schema(ctypes.byref(stream), ctypes.byref(schema)) == 0
    formats = [schema.children[i].contents.format.decode() for i in range(schema.n_children)]
    names = [schema.children[i].contents.name.decode() for i in range(schema.n_children)]
    schema.release(ctypes.byref(schema))
    ids, labels = [], []
    while True:
        batch = ArrowArray()
        rc = stream.get_next(ctypes.byref(stream), ctypes.byref(batch))
        if rc != 0:
            raise RuntimeError(stream.get_last_error(ctypes.byref(stream)).decode())
        if not batch.release:
            break
        a, b = batch.children[0].contents, batch.children[1].contents
        values = ctypes.cast(a.buffers[1], ctypes.POINTER(ctypes.c_int64))
        bits = ctypes.cast(b.buffers[0], ctypes.POINTER(ctypes.c_uint8)) if b.buffers[0] else None
        offsets = ctypes.cast(b.buffers[1], ctypes.POINTER(ctypes.c_int32))
        for r in range(batch.length):
            ids.append(values[r + a.offset])
            k = r + b.offset
            if b.null_count and bits and not (bits[k // 8] >> (k % 8)) & 1:
                labels.append(None)
            else:
                labels.append(ctypes.string_at(b.buffers[2] + offsets[k], offsets[k + 1] - offsets[k]).decode())
        batch.release(ctypes.byref(batch))
    stream.release(ctypes.byref(stream))
    return formats, names, ids, labels


class ProjectTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = os.path.join(self.tmp.name, "proj")
        self.project = ldp.Project.init(self.dir)
        self.src = os.path.join(self.tmp.name, "items.csv")
        write_csv(self.src, [(i, f"item{i}", f"{i}.25", i * 2) for i in range(1, 101)])

    def tearDown(self):
        self.tmp.cleanup()

    def test_version(self):
        self.assertRegex(ldp.__version__, r"^\d+\.\d+\.\d+$")

    def test_ingest_query_typed_values(self):
        s = self.project.ingest(self.src, "shop.items")
        self.assertTrue(s["created_table"])
        self.assertTrue(s["committed"])
        self.assertEqual(s["rows"], 100)
        rows = self.project.query(
            "SELECT count(*), sum(qty), min(name), CAST(sum(price) AS DECIMAL(10,2)), avg(qty), "
            "bool_and(qty > 0), NULL FROM shop.items")
        self.assertEqual(len(rows), 1)
        count, qty, name, price, avg, all_pos, null = rows[0]
        self.assertEqual(count, 100)
        self.assertIsInstance(count, int)
        self.assertEqual(qty, 10100)
        self.assertEqual(name, "item1")
        self.assertEqual(price, decimal.Decimal("5075.00"))
        self.assertAlmostEqual(avg, 101.0)
        self.assertIs(all_pos, True)
        self.assertIsNone(null)

    def test_stream_reads_in_batches(self):
        big = os.path.join(self.tmp.name, "big.csv")
        write_csv(big, [(i, "x", "1.0", 1) for i in range(10000)])
        self.project.ingest(big, "shop.big")
        cur = self.project.stream("SELECT id FROM shop.big ORDER BY id")
        self.assertEqual(cur.columns, [("id", "integer")])
        first = cur.fetchmany(3)
        self.assertEqual(first, [(0,), (1,), (2,)])
        rest = list(cur)
        self.assertEqual(len(rest), 9997)
        self.assertEqual(rest[-1], (9999,))
        self.assertEqual(cur.fetchall(), [])

    def test_arrow_stream_has_real_types_and_every_row(self):
        self.project.ingest(self.src, "shop.items")
        stream = self.project.query_arrow_stream(
            "SELECT id, CASE WHEN id % 10 = 0 THEN NULL ELSE name END AS name, price, qty "
            "FROM shop.items ORDER BY id")
        formats, names, ids, labels = read_arrow_capsule(stream.__arrow_c_stream__())
        self.assertEqual(names, ["id", "name", "price", "qty"])
        self.assertEqual(formats[0], "l")   # BIGINT -> int64
        self.assertEqual(formats[1], "u")   # VARCHAR -> utf8
        self.assertTrue(formats[2].startswith("d:") or formats[2] == "g", formats[2])  # decimal or double
        self.assertEqual(ids, list(range(1, 101)))
        self.assertEqual(labels, [None if i % 10 == 0 else f"item{i}" for i in range(1, 101)])
        with self.assertRaisesRegex(ValueError, "already consumed"):
            stream.__arrow_c_stream__()
        with self.assertRaises(ldp.InvalidArgumentError) as cm:
            self.project.query_arrow_stream("SELECT nope FROM shop.items")
        self.assertIn("nope", str(cm.exception))
        try:
            import pyarrow  # noqa: F401  (not packaged for Debian 12: exercised where installed)
            table = self.project.query_arrow("SELECT id, name FROM shop.items ORDER BY id")
            self.assertEqual(table.num_rows, 100)
            self.assertEqual(table.column("id").to_pylist(), list(range(1, 101)))
        except ImportError:
            with self.assertRaisesRegex(ImportError, "query_arrow_stream"):
                self.project.query_arrow("SELECT 1")

    def test_tables_describe_snapshots_and_cli_agree(self):
        self.project.ingest(self.src, "shop.items")
        self.project.ingest(self.src, "shop.items")
        self.assertEqual(self.project.tables(), ["shop.items"])
        self.assertEqual(self.project.tables("shop"), ["shop.items"])
        d = self.project.describe("shop.items")
        self.assertEqual([f["name"] for f in d["fields"]], ["id", "name", "price", "qty"])
        self.assertEqual(d["records"], 200)
        snaps = self.project.snapshots("shop.items")
        self.assertEqual(len(snaps), 2)
        self.assertTrue(snaps[1]["current"])
        self.assertEqual(snaps[1]["parent_snapshot_id"], snaps[0]["snapshot_id"])
        self.assertEqual(d["current_snapshot_id"], snaps[1]["snapshot_id"])
        exe = os.environ.get("LDP_TEST_BIN")
        if exe:
            out = subprocess.run([exe, "describe", "shop.items", "--project", self.dir, "--json"],
                                 check=True, capture_output=True, text=True).stdout
            self.assertEqual(json.loads(out)["current_snapshot"]["snapshot-id"], d["current_snapshot_id"])

    def test_merge_delete_update(self):
        self.project.ingest(self.src, "shop.items")
        changes = os.path.join(self.tmp.name, "changes.csv")
        write_csv(changes, [(1, "renamed", "9.99", 7), (500, "new", "1.00", 1)])
        m = self.project.ingest(changes, "shop.items", mode="merge", key="id")
        self.assertEqual((m["rows_updated"], m["rows_inserted"]), (1, 1))
        self.assertEqual(self.project.query("SELECT name FROM shop.items WHERE id = 1"), [("renamed",)])
        d = self.project.delete("shop.items", "id > 50")
        self.assertEqual(d["rows_deleted"], 51)
        u = self.project.update("shop.items", "qty = qty + 1000", "id <= 10")
        self.assertEqual(u["rows_updated"], 10)
        self.assertEqual(self.project.query("SELECT count(*), max(qty) FROM shop.items"), [(50, 1020)])
        # Time travel: the first snapshot still has 100 rows.
        first = self.project.snapshots("shop.items")[0]["snapshot_id"]
        self.assertEqual(self.project.query("SELECT count(*) FROM shop.items", as_of=str(first)), [(100,)])

    def test_clone_sample_where_and_provenance(self):
        self.project.ingest(self.src, "shop.items")
        self.project.delete("shop.items", "id <= 10")
        c = self.project.clone("shop.items", "dev.items", where="qty > 40")
        self.assertEqual(c["rows"], self.project.query("SELECT count(*) FROM shop.items WHERE qty > 40")[0][0])
        self.assertEqual(c["filter"], "where qty > 40")
        self.assertEqual(c["source"], "shop.items")
        a = self.project.clone("shop.items", "dev.a", sample=50, seed=9)
        b = self.project.clone("shop.items", "dev.b", sample=50, seed=9)
        self.assertEqual(self.project.query("SELECT id FROM dev.a ORDER BY id"),
                         self.project.query("SELECT id FROM dev.b ORDER BY id"))
        self.assertEqual(a["rows"], b["rows"])
        self.assertEqual(self.project.describe("dev.items")["properties"]["ldp.clone.source"], "shop.items")
        with self.assertRaises(ldp.AlreadyExistsError):
            self.project.clone("shop.items", "dev.items")

    def test_errors_map_to_exceptions_with_the_cli_message(self):
        with self.assertRaises(ldp.NoSuchNamespaceError) as e:
            self.project.describe("shop.missing")
        self.assertIn("shop.missing", str(e.exception))
        self.assertIsInstance(e.exception, ldp.NotFoundError)
        self.assertIsInstance(e.exception, LookupError)
        self.assertIsInstance(e.exception, ldp.Error)
        with self.assertRaises(ldp.NotFoundError) as e:
            self.project.ingest(os.path.join(self.tmp.name, "nope.csv"), "shop.items")
        self.assertIn("nope.csv", str(e.exception))
        with self.assertRaises(ldp.InvalidArgumentError):
            self.project.query("SELEC 1")
        with self.assertRaises(ValueError):  # InvalidArgumentError is also a ValueError
            self.project.ingest(self.src, "shop.items", mode="upsert")
        with self.assertRaises(ldp.AlreadyExistsError):
            ldp.Project.init(self.dir)
        with self.assertRaises(ldp.NotFoundError) as e:
            ldp.Project(os.path.join(self.tmp.name, "no-project"))
        self.assertIn("ldp init", str(e.exception))
        # Nothing was committed by the failures.
        self.assertEqual(self.project.tables(), [])
        self.project.ingest(self.src, "shop.items")
        with self.assertRaises(ldp.NoSuchTableError) as e:
            self.project.describe("shop.missing")
        self.assertIn("shop.missing", str(e.exception))

    def test_gil_released_during_work(self):
        big = os.path.join(self.tmp.name, "big.csv")
        write_csv(big, [(i, "x" * 20, "1.5", i) for i in range(200000)])
        ticks = []
        stop = threading.Event()

        def tick():
            while not stop.is_set():
                ticks.append(1)
                stop.wait(0.001)

        t = threading.Thread(target=tick)
        t.start()
        try:
            before = len(ticks)
            self.project.ingest(big, "shop.big")
            during = len(ticks) - before
        finally:
            stop.set()
            t.join()
        # With the GIL held for the whole ingest the other thread could not have run at all.
        self.assertGreater(during, 5)

    def write_pipeline(self):
        os.makedirs(os.path.join(self.dir, "pipelines"), exist_ok=True)
        with open(os.path.join(self.dir, "pipelines", "daily.yaml"), "w") as f:
            f.write(
                "name: daily\nschedule: '@daily'\ntasks:\n"
                "  - id: load\n    type: ingest\n    source: items.csv\n    table: shop.items\n    mode: overwrite\n"
                "  - id: mark\n    type: shell\n    depends_on: load\n"
                "    command: 'sleep 0.3; test -f ok && echo {{ ds }} >> marks.txt'\n")
        os.replace(self.src, os.path.join(self.dir, "items.csv"))

    def test_run_pipeline(self):
        self.write_pipeline()
        binary = os.environ["LDP_TEST_BIN"]
        ticks = []
        stop = threading.Event()

        def tick():
            while not stop.is_set():
                ticks.append(1)
                stop.wait(0.001)

        t = threading.Thread(target=tick)
        t.start()
        try:
            r = self.project.run_pipeline("daily", date="2024-01-02", ldp_binary=binary)
        finally:
            stop.set()
            t.join()
        self.assertGreater(len(ticks), 5)  # the GIL was released while the tasks ran
        self.assertEqual(r["pipeline"], "daily")
        self.assertEqual(r["failed_runs"], 1)
        (run,) = r["runs"]
        self.assertEqual(run["run_id"], "daily@2024-01-02")
        self.assertEqual(run["data_interval_start"], "2024-01-02T00:00:00+00:00")
        states = {t["task"]: (t["status"], t["attempts"]) for t in run["tasks"]}
        self.assertEqual(states, {"load": ("success", 1), "mark": ("failed", 1)})
        self.assertEqual(self.project.query("SELECT count(*) FROM shop.items")[0][0], 100)
        # Rerun the failed task alone, finding ldp through LDP_BINARY; a backfill of two days.
        open(os.path.join(self.dir, "ok"), "w").close()
        os.environ["LDP_BINARY"] = binary
        try:
            r = self.project.run_pipeline("daily", date="2024-01-02", tasks=["mark"])
            self.assertEqual([t["status"] for t in r["runs"][0]["tasks"]], ["success"])
            r = self.project.run_pipeline("daily", from_date="2024-01-03", to_date="2024-01-04")
            self.assertEqual([x["run_id"] for x in r["runs"]], ["daily@2024-01-03", "daily@2024-01-04"])
            self.assertEqual(r["failed_runs"], 0)
        finally:
            del os.environ["LDP_BINARY"]
        with open(os.path.join(self.dir, "marks.txt")) as f:
            self.assertEqual(f.read().split(), ["2024-01-02", "2024-01-03", "2024-01-04"])
        # The CLI sees the same history.
        out = subprocess.run([binary, "runs", "daily", "--json", "--project", self.dir], check=True,
                             capture_output=True, text=True).stdout
        self.assertEqual([x["status"] for x in json.loads(out)], ["success"] * 3)

    def test_run_pipeline_errors(self):
        self.write_pipeline()
        with self.assertRaises(ldp.NotFoundError) as e:
            self.project.run_pipeline("nope", date="2024-01-02", ldp_binary=os.environ["LDP_TEST_BIN"])
        self.assertIn("no pipeline 'nope'", str(e.exception))
        with self.assertRaises(ldp.NotFoundError) as e:
            self.project.run_pipeline("daily", date="2024-01-02", ldp_binary="/nonexistent/ldp")
        self.assertIn("ldp_binary /nonexistent/ldp is not an executable file", str(e.exception))


if __name__ == "__main__":
    unittest.main()
