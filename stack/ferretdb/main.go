// Command herald-ferretdb runs an embedded FerretDB v1 (MongoDB wire protocol) with its SQLite or
// PostgreSQL backend, so the project's tests and local runs have a real MongoDB-wire server without
// Docker.
//
// Flags:
//
//	-listen          TCP address to listen on (default 127.0.0.1:27017)
//	-handler         storage backend: sqlite (default) or postgresql
//	-data            folder for the SQLite databases (created if missing; sqlite only)
//	-postgresql-url  PostgreSQL connection URL (postgresql only), e.g. postgres://u:pw@127.0.0.1:5433/ferretdb;
//	                 default: env HERALD_POSTGRESQL_URL (keeps the password off the command line)
//	-log             log level: debug, info, warn, error (default warn)
//	-id-index        interval of the SQLite `_id` path indexer (see idindex.go; default 200ms, 0 = off)
//	-pg-index        interval of the PostgreSQL containment indexer (see pgindex.go; default 1s, 0 = off)
//
// It stops cleanly on SIGINT/SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	handler := flag.String("handler", "sqlite", "storage backend: sqlite or postgresql")
	data := flag.String("data", "data", "folder for the SQLite databases (sqlite)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL connection URL (postgresql)")
	level := flag.String("log", "warn", "log level: debug, info, warn, error")
	idIndex := flag.Duration("id-index", 200*time.Millisecond, "interval of the SQLite _id path indexer (0 = off)")
	pgIndex := flag.Duration("pg-index", time.Second, "interval of the PostgreSQL containment indexer (0 = off)")
	flag.Parse()

	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(os.Stderr, "herald-ferretdb: bad -log %q: %v\n", *level, err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg := ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: *listen}, Logger: logger, Handler: *handler}
	var where string
	switch *handler {
	case "sqlite":
		dir, err := filepath.Abs(*data)
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "herald-ferretdb: data folder: %v\n", err)
			os.Exit(1)
		}
		cfg.SQLiteURL = "file:" + dir + "/"
		where = "SQLite data in " + dir
		if *idIndex > 0 {
			go runIDIndexer(ctx, dir, *idIndex, logger)
		}
	case "postgresql":
		if *pgURL == "" {
			*pgURL = os.Getenv("HERALD_POSTGRESQL_URL")
		}
		if *pgURL == "" {
			fmt.Fprintln(os.Stderr, "herald-ferretdb: -handler postgresql needs -postgresql-url or HERALD_POSTGRESQL_URL")
			os.Exit(2)
		}
		cfg.PostgreSQLURL = *pgURL
		where = "PostgreSQL backend"
		if *pgIndex > 0 {
			go runPGIndexer(ctx, *pgURL, *pgIndex, logger)
		}
	default:
		fmt.Fprintf(os.Stderr, "herald-ferretdb: bad -handler %q (sqlite or postgresql)\n", *handler)
		os.Exit(2)
	}

	f, err := ferretdb.New(&cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "herald-ferretdb: %v\n", err)
		os.Exit(1)
	}

	fmt.Fprintf(os.Stderr, "herald-ferretdb: listening on %s (%s)\n", f.MongoDBURI(), where)
	if err := f.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "herald-ferretdb: %v\n", err)
		os.Exit(1)
	}
}
