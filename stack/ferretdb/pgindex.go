package main

// FerretDB v1.24's PostgreSQL backend stores each collection as a table with one `_jsonb` column
// and builds every MongoDB index as a btree on `((_jsonb->'field'))`. Its queries, though, filter
// with jsonb containment: `_jsonb->$1 @> $2` for a top-level equality (prepareWhereClause and
// filterEqual in internal/backends/postgresql/query.go), the field name itself a bind parameter.
// A btree cannot answer `@>` (PostgreSQL docs, "Index Types": only GIN jsonb operator classes
// support `@>` on jsonb), so every find, count, update and delete, even by a lone `_id`, reads the
// whole table (`EXPLAIN` shows a Seq Scan).
//
// The PostgreSQL indexer closes that gap from outside FerretDB: every interval it adds, for the
// leading field of each btree index FerretDB made on a collection table (this includes `_id`), a
// GIN index `USING gin ((_jsonb -> 'field') jsonb_path_ops)` — the very expression and operator
// FerretDB queries with. The field being a bind parameter, PostgreSQL only matches the expression
// in custom plans (the stack's postgresql.conf sets plan_cache_mode = force_custom_plan).
// FerretDB's metadata does not list these indexes (listIndexes is unchanged); PostgreSQL drops
// them with their table.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	neturl "net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgIndexSuffix ends the name of every index the indexer adds.
const pgIndexSuffix = "_hx_gin"

// leadingFieldRe matches the expression pg_get_indexdef prints for a FerretDB index column on a
// top-level field, e.g. `(_jsonb -> 'recipientId'::text)`; group 1 is the field (quotes doubled).
var leadingFieldRe = regexp.MustCompile(`^\(*_jsonb -> '((?:[^']|'')+)'::text\)*$`)

// pgTargetsSQL lists, per FerretDB collection table (a table with a `_jsonb` column, outside the
// catalog and FerretDB's own `_ferretdb_*` tables), the first column of each of its btree indexes
// and whether a GIN index of ours already exists for it.
const pgTargetsSQL = `
SELECT n.nspname, t.relname, pg_get_indexdef(i.indexrelid, 1, false)
FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE am.amname = 'btree'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND t.relname NOT LIKE '\_ferretdb\_%'
  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = '_jsonb' AND NOT a.attisdropped)`

// pgTarget is one GIN index the indexer wants: the collection table and the top-level field.
type pgTarget struct {
	Schema, Table, Field string
}

// leadingField returns the top-level field of an index column expression as pg_get_indexdef
// prints it, or "" when the expression is not a plain `_jsonb -> 'field'` (e.g. a dotted path).
func leadingField(expr string) string {
	m := leadingFieldRe.FindStringSubmatch(expr)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(m[1], "''", "'")
}

// ginIndexName is the name of the GIN index for a table and field: readable, at most 63 bytes
// (PostgreSQL's NAMEDATALEN - 1), and unique through a hash of both.
func ginIndexName(table, field string) string {
	sum := sha256.Sum256([]byte(table + "\x00" + field))
	h := hex.EncodeToString(sum[:4])
	clip := func(s string, n int) string {
		if len(s) > n {
			return s[:n]
		}
		return s
	}
	return clip(table, 24) + "_" + clip(sanitizeName(field), 16) + "_" + h + pgIndexSuffix
}

var nonNameRe = regexp.MustCompile(`[^A-Za-z0-9_]`)

// sanitizeName keeps letters, digits and underscores of a field name, for index names only.
func sanitizeName(s string) string { return nonNameRe.ReplaceAllString(s, "_") }

// createGINSQL is the statement adding the GIN index of one target.
func createGINSQL(t pgTarget) string {
	return fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s USING gin ((_jsonb -> %s) jsonb_path_ops)`,
		pgx.Identifier{ginIndexName(t.Table, t.Field)}.Sanitize(),
		pgx.Identifier{t.Schema, t.Table}.Sanitize(),
		quoteLiteral(t.Field))
}

// quoteLiteral quotes a PostgreSQL string literal (standard_conforming_strings on, the default).
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// runPGIndexer adds the missing GIN indexes every interval until ctx is done, reconnecting after
// errors (PostgreSQL restarting, say).
func runPGIndexer(ctx context.Context, url string, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	lastErr := ""
	report := func(err error) { // each new error once, at warn level
		if err != nil && err.Error() != lastErr && ctx.Err() == nil {
			logger.Warn("pg indexer", "error", err)
		}
		if err != nil {
			lastErr = err.Error()
		} else {
			lastErr = ""
		}
	}
	connURL := indexerURL(url)
	for {
		if conn == nil {
			c, err := pgx.Connect(ctx, connURL)
			report(err)
			conn = c
		}
		if conn != nil {
			n, err := indexPostgreSQL(ctx, conn)
			report(err)
			if err != nil {
				conn.Close(context.Background())
				conn = nil
			} else if n > 0 {
				logger.Debug("pg indexer: added GIN indexes", "count", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// indexerURL is FerretDB's connection URL without the pgxpool settings (`pool_*` query
// parameters): a single pgx connection would send them to the server as run-time parameters,
// which PostgreSQL rejects ("unrecognized configuration parameter").
func indexerURL(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// indexPostgreSQL adds every missing GIN index (see the file comment) and returns how many it added.
func indexPostgreSQL(ctx context.Context, conn *pgx.Conn) (int, error) {
	rows, err := conn.Query(ctx, pgTargetsSQL)
	if err != nil {
		return 0, err
	}
	seen := map[pgTarget]bool{}
	var targets []pgTarget
	for rows.Next() {
		var schema, table, expr string
		if err := rows.Scan(&schema, &table, &expr); err != nil {
			rows.Close()
			return 0, err
		}
		f := leadingField(expr)
		t := pgTarget{schema, table, f}
		if f == "" || seen[t] {
			continue
		}
		seen[t] = true
		targets = append(targets, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}

	// Our indexes already there, in one query (schema + name), so an idle tick costs two queries.
	existing := map[[2]string]bool{}
	rows, err = conn.Query(ctx, `SELECT schemaname, indexname FROM pg_indexes WHERE indexname LIKE '%\`+pgIndexSuffix+`'`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var schema, name string
		if err := rows.Scan(&schema, &name); err != nil {
			rows.Close()
			return 0, err
		}
		existing[[2]string{schema, name}] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}

	added := 0
	for _, t := range targets {
		if existing[[2]string{t.Schema, ginIndexName(t.Table, t.Field)}] {
			continue
		}
		if _, err := conn.Exec(ctx, createGINSQL(t)); err != nil {
			var pgErr *pgconn.PgError
			// Another session created it meanwhile (IF NOT EXISTS is not atomic against that), or
			// FerretDB dropped the collection: either way nothing to do now.
			if errors.As(err, &pgErr) && (pgErr.Code == "23505" || pgErr.Code == "42P07" || pgErr.Code == "42P01") {
				continue
			}
			return added, err
		}
		added++
	}
	return added, nil
}
