// ldp_example: creates a project, ingests a CSV file it writes, queries the table with results
// streamed in batches, deletes some rows and checks every figure. Exit 0 when all hold.
//
//   ldp_example DIR     (DIR must not exist yet)

#include <ldp/ldp.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

namespace {

int Fail(const std::string& what) {
  std::cerr << "ldp_example: " << what << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return Fail("usage: ldp_example DIR");
  const std::string dir = argv[1];
  if (std::string(ldp::Version()) != LDP_VERSION_STRING)
    return Fail(std::string("library version ") + ldp::Version() + " differs from header " + LDP_VERSION_STRING);

  auto project = ldp::Project::Init(dir);
  if (!project.ok()) return Fail(project.status().ToString());

  // 1,000 orders: id 1..1000, amount = id * 1.5, status 'open' for even ids.
  const std::string csv = dir + "/orders.csv";
  {
    std::ofstream out(csv);
    out << "id,amount,status\n";
    for (int i = 1; i <= 1000; ++i) out << i << "," << i * 1.5 << "," << (i % 2 == 0 ? "open" : "closed") << "\n";
  }
  auto ingested = project->Ingest(csv, "shop.orders");
  if (!ingested.ok()) return Fail(ingested.status().ToString());
  if (!ingested->created_table || ingested->rows != 1000)
    return Fail("ingest: expected a new table with 1000 rows, got " + std::to_string(ingested->rows));

  // Stream every row (several batches of at most 2,048... here one), summing as we go.
  auto result = project->Query("SELECT id, amount, status FROM shop.orders ORDER BY id");
  if (!result.ok()) return Fail(result.status().ToString());
  if (result->columns().size() != 3 || result->columns()[0].kind != ldp::ValueKind::kInteger)
    return Fail("query: unexpected columns");
  long long rows = 0, id_sum = 0;
  for (;;) {
    auto batch = result->Next();
    if (!batch.ok()) return Fail(batch.status().ToString());
    if (batch->rows.empty()) break;
    for (const auto& row : batch->rows) {
      ++rows;
      id_sum += std::stoll(*row[0]);
    }
  }
  if (rows != 1000 || id_sum != 500500) return Fail("query: expected 1000 rows summing to 500500");

  auto deleted = project->Delete("shop.orders", "status = 'closed'");
  if (!deleted.ok()) return Fail(deleted.status().ToString());
  if (deleted->rows_deleted != 500) return Fail("delete: expected 500 rows deleted");

  auto count = project->Query("SELECT count(*), sum(amount) FROM shop.orders");
  if (!count.ok()) return Fail(count.status().ToString());
  auto all = count->ReadAll();
  if (!all.ok() || all->rows.size() != 1 || *all->rows[0][0] != "500") return Fail("count after delete: expected 500");

  auto described = project->Describe("shop.orders");
  if (!described.ok()) return Fail(described.status().ToString());
  auto snapshots = project->Snapshots("shop.orders");
  if (!snapshots.ok() || snapshots->size() != 2) return Fail("expected 2 snapshots");

  // Errors come back as a Status with a code and a message naming the table.
  auto missing = project->Describe("shop.nope");
  if (missing.ok() || missing.status().code() != ldp::ErrorCode::kNoSuchTable)
    return Fail("describe of a missing table: expected NoSuchTable");

  std::cout << "ldp " << ldp::Version() << ": shop.orders has " << *all->rows[0][0] << " rows (amount "
            << *all->rows[0][1] << ") in " << described->fields.size() << " columns, " << snapshots->size()
            << " snapshots\n";
  return 0;
}
