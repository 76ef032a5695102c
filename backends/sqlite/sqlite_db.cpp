#include "backends/sqlite/sqlite_db.h"

#include <cstring>

#include <sqlite3.h>

namespace roost::sqlite {

Db::Db(std::string path) : path_(std::move(path)) {
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? describe(rc, "open") : path_ + ": open: " + sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(std::move(msg), rc);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Db::~Db() { sqlite3_close_v2(db_); }

void Db::exec(std::string_view sql, std::string_view step) {
  const std::string s(sql);
  const int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, step);
}

std::int64_t Db::query_int(std::string_view sql, std::string_view step) {
  Statement st(*this, sql, step);
  if (!st.step()) throw SqliteError(path_ + ": " + std::string(step) + ": the query returned no row", SQLITE_ERROR);
  const std::int64_t v = st.column_int(0);
  st.reset();
  return v;
}

bool Db::table_exists(std::string_view name) {
  Statement st(*this, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", "look up a table");
  st.bind(1, name);
  st.step();
  const bool exists = st.column_int(0) > 0;
  st.reset();
  return exists;
}

bool Db::autocommit() const { return sqlite3_get_autocommit(db_) != 0; }

namespace {
// Names for the result codes an operator meets on a sick disk; others show as their number.
std::string code_name(int rc) {
  switch (rc) {
    case SQLITE_FULL: return "SQLITE_FULL";
    case SQLITE_IOERR: return "SQLITE_IOERR";
    case SQLITE_IOERR_READ: return "SQLITE_IOERR_READ";
    case SQLITE_IOERR_SHORT_READ: return "SQLITE_IOERR_SHORT_READ";
    case SQLITE_IOERR_WRITE: return "SQLITE_IOERR_WRITE";
    case SQLITE_IOERR_FSYNC: return "SQLITE_IOERR_FSYNC";
    case SQLITE_IOERR_TRUNCATE: return "SQLITE_IOERR_TRUNCATE";
    case SQLITE_CANTOPEN: return "SQLITE_CANTOPEN";
    case SQLITE_READONLY: return "SQLITE_READONLY";
    case SQLITE_BUSY: return "SQLITE_BUSY";
    case SQLITE_CORRUPT: return "SQLITE_CORRUPT";
    case SQLITE_NOTADB: return "SQLITE_NOTADB";
    case SQLITE_CONSTRAINT_UNIQUE: return "SQLITE_CONSTRAINT_UNIQUE";
    case SQLITE_CONSTRAINT_PRIMARYKEY: return "SQLITE_CONSTRAINT_PRIMARYKEY";
    default: return "sqlite code " + std::to_string(rc);
  }
}
}  // namespace

std::string Db::describe(int rc, std::string_view step) const {
  std::string msg = path_ + ": " + std::string(step) + ": " + sqlite3_errmsg(db_) + " (" + code_name(rc);
  const int sys = sqlite3_system_errno(db_);
  if (sys != 0) msg += ", errno " + std::to_string(sys) + ": " + std::strerror(sys);
  return msg + ")";
}

void Db::fail(int rc, std::string_view step) const { throw SqliteError(describe(rc, step), rc); }

Statement::Statement(Db& db, std::string_view sql, std::string_view step) : db_(db), step_(step) {
  const int rc = sqlite3_prepare_v3(db_.handle(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt_, nullptr);
  if (rc != SQLITE_OK) db_.fail(rc, "prepare (" + step_ + ")");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t v) {
  const int rc = sqlite3_bind_int64(stmt_, index, v);
  if (rc != SQLITE_OK) db_.fail(rc, step_ + ": bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view v) {
  // SQLITE_STATIC: no copy. The text must outlive the run; every caller binds from records it holds
  // until run() returns (and reset() clears the bindings).
  const int rc = sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) db_.fail(rc, step_ + ": bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = db_.describe(rc, step_);
  sqlite3_reset(stmt_);
  throw SqliteError(std::move(msg), rc);
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::column_int(int i) const { return sqlite3_column_int64(stmt_, i); }

std::string Statement::column_text(int i) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
}

}  // namespace roost::sqlite
