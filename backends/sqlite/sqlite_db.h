// A thin RAII layer over the SQLite C API: a connection, prepared statements, and error messages that
// name the database file, the step that failed, SQLite's own words and the OS error behind them.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace roost::sqlite {

// Thrown by Db and Statement. what(): "<file>: <step>: <sqlite message> (<code name>[, errno N: ...])".
class SqliteError : public std::runtime_error {
 public:
  SqliteError(std::string message, int code) : std::runtime_error(std::move(message)), code_(code) {}
  int code() const { return code_; }  // SQLite's extended result code

 private:
  int code_;
};

class Db {
 public:
  // Opens (creating if absent) the database at `path`. Throws SqliteError.
  explicit Db(std::string path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

  // Runs one or more statements without results. Throws SqliteError naming `step`.
  void exec(std::string_view sql, std::string_view step);
  // The single integer a query yields (e.g. PRAGMA user_version). Throws SqliteError.
  std::int64_t query_int(std::string_view sql, std::string_view step);
  bool table_exists(std::string_view name);
  // Whether no transaction is open (SQLite rolls a transaction back by itself on some errors).
  bool autocommit() const;

  // "<file>: <step>: <message> (<code>[, errno ...])" for the connection's last error `rc`.
  std::string describe(int rc, std::string_view step) const;
  [[noreturn]] void fail(int rc, std::string_view step) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

// A prepared statement, reset after every run so it can be reused.
class Statement {
 public:
  Statement(Db& db, std::string_view sql, std::string_view step);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t v);
  Statement& bind(int index, std::string_view v);  // not copied: `v` must live until the run ends
  Statement& bind(int index, bool v) { return bind(index, std::int64_t{v}); }

  // Steps once; true if a row is available. Throws SqliteError (after resetting).
  bool step();
  // Runs to completion (for writes), then resets. Throws SqliteError.
  void run();
  void reset();

  std::int64_t column_int(int i) const;
  std::string column_text(int i) const;

 private:
  Db& db_;
  std::string step_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace roost::sqlite
