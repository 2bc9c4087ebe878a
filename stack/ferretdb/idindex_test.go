package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// A database file laid out as FerretDB v1.24's SQLite backend lays it out: the metadata table
// and one collection table whose `_id_` index is on `->"_id"`, which FerretDB never queries with.
func ferretLikeDatabase(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "db.sqlite")
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE "_ferretdb_collections" (name TEXT NOT NULL UNIQUE, table_name TEXT NOT NULL UNIQUE, settings TEXT NOT NULL) STRICT`,
		`CREATE TABLE "things_0001" (_ferretdb_sjson TEXT NOT NULL CHECK(_ferretdb_sjson != '')) STRICT`,
		`CREATE UNIQUE INDEX "things_0001__id_" ON "things_0001" (_ferretdb_sjson->"_id")`,
		`INSERT INTO "_ferretdb_collections" VALUES ('things', 'things_0001', '{}')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return file
}

func queryPlan(t *testing.T, file string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "things_0001" WHERE _ferretdb_sjson->'$._id' = ?`, `"abc"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}

func TestIndexDatabaseMakesIDLookupsUseAnIndex(t *testing.T) {
	file := ferretLikeDatabase(t)
	if plan := queryPlan(t, file); !strings.HasPrefix(plan, "SCAN") {
		t.Fatalf("expected a full scan before indexing (FerretDB's own _id_ index unused), got %q", plan)
	}
	n, err := indexDatabase(context.Background(), file)
	if err != nil || n != 1 {
		t.Fatalf("indexDatabase = %d, %v; want 1, nil", n, err)
	}
	if plan := queryPlan(t, file); !strings.Contains(plan, "USING INDEX things_0001__id_path") {
		t.Fatalf("expected the _id path index to be used, got %q", plan)
	}
	if n, err := indexDatabase(context.Background(), file); err != nil || n != 0 {
		t.Fatalf("second indexDatabase = %d, %v; want 0, nil (idempotent)", n, err)
	}
}

func TestIndexDatabaseNeverCreatesAFile(t *testing.T) {
	if _, err := indexDatabase(context.Background(), filepath.Join(t.TempDir(), "missing.sqlite")); err == nil {
		t.Fatal("expected an error for a missing database file")
	}
}
