package main

// FerretDB v1.24's SQLite backend stores each collection as a table with one JSON column and
// builds the `_id_` index on the expression `_ferretdb_sjson->"_id"`, but looks documents up by
// `_id` with the expression `_ferretdb_sjson->'$._id'` (IDColumn in its sqlite/metadata package).
// SQLite matches index expressions textually, so every find, update and delete by `_id` scans the
// whole table (see `EXPLAIN QUERY PLAN`), and a collection gets slower with every document.
//
// idIndexer closes that gap from outside FerretDB: every interval it adds, to each collection
// table of each database file, a plain (non-unique) SQLite index on the very expression FerretDB
// queries with. FerretDB's own metadata does not list it (listIndexes is unchanged); uniqueness of
// `_id` stays enforced by FerretDB's `_id_` index. SQLite drops it with its table.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses ("sqlite")
)

// idPathIndexSuffix names the added index: "<table>__id_path".
const idPathIndexSuffix = "__id_path"

// runIDIndexer adds the missing `_id` path indexes every interval until ctx is done.
func runIDIndexer(ctx context.Context, dir string, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	seen := map[string]time.Time{} // database file -> modification time when last indexed
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, f := range files {
			st, err := os.Stat(f)
			if err != nil {
				continue
			}
			mod := latestModTime(f, st.ModTime())
			if last, ok := seen[f]; ok && !mod.After(last) {
				continue
			}
			n, err := indexDatabase(ctx, f)
			if err != nil {
				logger.Debug("id indexer", "file", filepath.Base(f), "error", err)
				continue // tried again next tick
			}
			seen[f] = mod
			if n > 0 {
				logger.Debug("id indexer: added _id path indexes", "file", filepath.Base(f), "count", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// latestModTime is the newest modification time of a database file and its write-ahead log.
func latestModTime(f string, mod time.Time) time.Time {
	if st, err := os.Stat(f + "-wal"); err == nil && st.ModTime().After(mod) {
		return st.ModTime()
	}
	return mod
}

// indexDatabase adds the `_id` path index to every collection table of one database file that
// lacks it, and returns how many it added. It never creates a database file (mode=rw).
func indexDatabase(ctx context.Context, file string) (int, error) {
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	rows, err := db.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return 0, err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return 0, err
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}

	added := 0
	for _, table := range tables {
		index := table + idPathIndexSuffix
		var exists int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, index).Scan(&exists)
		if err != nil {
			return added, err
		}
		if exists > 0 {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (_ferretdb_sjson->'$._id')`, quoteIdent(index), quoteIdent(table))
		if _, err := db.ExecContext(ctx, q); err != nil {
			if strings.Contains(err.Error(), "no such table") {
				continue // dropped meanwhile
			}
			return added, err
		}
		added++
	}
	return added, nil
}

// quoteIdent quotes an SQLite identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
