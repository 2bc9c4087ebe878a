package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestLeadingField(t *testing.T) {
	for expr, want := range map[string]string{
		`((_jsonb -> '_id'::text))`:            "_id",
		`((_jsonb -> 'recipientId'::text))`:    "recipientId",
		`(_jsonb -> 'o''brien'::text)`:         "o'brien",
		`((_jsonb -> 'a'::text) -> 'b'::text)`: "", // dotted path: FerretDB queries it with #>, not ->
		`_ferretdb_record_id`:                  "",
	} {
		if got := leadingField(expr); got != want {
			t.Errorf("leadingField(%q) = %q, want %q", expr, got, want)
		}
	}
}

func TestGINIndexName(t *testing.T) {
	long := strings.Repeat("t", 80)
	n := ginIndexName(long, strings.Repeat("f", 80))
	if len(n) > 63 {
		t.Fatalf("name longer than 63 bytes: %q", n)
	}
	if ginIndexName("a", "b") == ginIndexName("a", "c") {
		t.Fatal("names of different fields collide")
	}
	if !strings.HasSuffix(n, pgIndexSuffix) {
		t.Fatalf("name %q lacks suffix", n)
	}
}

func TestIndexerURL(t *testing.T) {
	got := indexerURL("postgres://u:p@127.0.0.1:5433/ferretdb?pool_max_conns=20&sslmode=disable")
	if strings.Contains(got, "pool_") || !strings.Contains(got, "sslmode=disable") {
		t.Fatalf("indexerURL kept pool settings or lost others: %s", got)
	}
}

func TestCreateGINSQL(t *testing.T) {
	got := createGINSQL(pgTarget{Schema: "herald", Table: "notifications_1a2b", Field: "recipientId"})
	want := `ON "herald"."notifications_1a2b" USING gin ((_jsonb -> 'recipientId') jsonb_path_ops)`
	if !strings.Contains(got, want) {
		t.Fatalf("got %s\nwant it to contain %s", got, want)
	}
}

// TestIndexPostgreSQL runs against a real PostgreSQL when HERALD_TEST_POSTGRES_URL is set (e.g. the
// local stack's): a table laid out as FerretDB v1.24 lays out a collection, its btree indexes, then
// the indexer, then EXPLAIN of FerretDB's own filter shape must use the added GIN index.
func TestIndexPostgreSQL(t *testing.T) {
	url := os.Getenv("HERALD_TEST_POSTGRES_URL")
	if url == "" {
		t.Skip("HERALD_TEST_POSTGRES_URL not set")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, indexerURL(url))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		`DROP SCHEMA IF EXISTS heraldidxtest CASCADE`,
		`CREATE SCHEMA heraldidxtest`,
		`CREATE TABLE heraldidxtest._ferretdb_database_metadata (_jsonb jsonb)`,
		`CREATE UNIQUE INDEX m_id ON heraldidxtest._ferretdb_database_metadata (((_jsonb->'_id')))`,
		`CREATE TABLE heraldidxtest.things_0001 (_jsonb jsonb)`,
		`CREATE UNIQUE INDEX things_id ON heraldidxtest.things_0001 (((_jsonb->'_id')))`,
		`CREATE INDEX things_r ON heraldidxtest.things_0001 (((_jsonb->'recipientId')), ((_jsonb->'_id')) DESC)`,
		`INSERT INTO heraldidxtest.things_0001 SELECT jsonb_build_object('_id', i::text, 'recipientId', 'u' || (i % 500)) FROM generate_series(1, 20000) i`,
		`ANALYZE heraldidxtest.things_0001`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	defer conn.Exec(ctx, `DROP SCHEMA heraldidxtest CASCADE`)

	// A running stack's own indexer may add some of them concurrently: check the end state.
	if _, err := indexPostgreSQL(ctx, conn); err != nil {
		t.Fatal(err)
	}
	var ours int
	conn.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE schemaname = 'heraldidxtest' AND tablename = 'things_0001' AND indexname LIKE '%`+pgIndexSuffix+`'`).Scan(&ours)
	if ours != 2 {
		t.Fatalf("%d GIN indexes on the collection table, want 2 (_id, recipientId)", ours)
	}
	again, err := indexPostgreSQL(ctx, conn)
	if err != nil || again != 0 {
		t.Fatalf("second run added %d (err %v), want 0", again, err)
	}
	var metaIdx int
	conn.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE schemaname = 'heraldidxtest' AND tablename = '_ferretdb_database_metadata' AND indexname LIKE '%`+pgIndexSuffix+`'`).Scan(&metaIdx)
	if metaIdx != 0 {
		t.Fatalf("indexed FerretDB's metadata table")
	}

	// FerretDB's filter: field name and value are bind parameters (query.go filterEqual).
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = force_custom_plan`); err != nil {
		t.Fatal(err)
	}
	for field, value := range map[string]string{"_id": `"77"`, "recipientId": `"u7"`} {
		rows, err := conn.Query(ctx, `EXPLAIN SELECT _jsonb FROM heraldidxtest.things_0001 WHERE _jsonb->$1 @> $2`, field, value)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			rows.Scan(&line)
			plan = append(plan, line)
		}
		rows.Close()
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, ginIndexName("things_0001", field)) {
			t.Errorf("plan for %s does not use the GIN index:\n%s", field, text)
		}
	}
}
