// Command herald-ferretdb runs an embedded FerretDB v1 (MongoDB wire protocol) with the SQLite
// backend, so the project's tests and local runs have a real MongoDB-wire server without Docker.
//
// Flags:
//
//	-listen   TCP address to listen on (default 127.0.0.1:27017)
//	-data     folder for the SQLite databases (created if missing)
//	-log      log level: debug, info, warn, error (default warn)
//	-id-index interval of the `_id` path indexer (see idindex.go; default 200ms, 0 turns it off)
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
	data := flag.String("data", "data", "folder for the SQLite databases")
	level := flag.String("log", "warn", "log level: debug, info, warn, error")
	idIndex := flag.Duration("id-index", 200*time.Millisecond, "interval of the _id path indexer (0 = off)")
	flag.Parse()

	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(os.Stderr, "herald-ferretdb: bad -log %q: %v\n", *level, err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))

	dir, err := filepath.Abs(*data)
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "herald-ferretdb: data folder: %v\n", err)
		os.Exit(1)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "herald-ferretdb: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *idIndex > 0 {
		go runIDIndexer(ctx, dir, *idIndex, logger)
	}

	fmt.Fprintf(os.Stderr, "herald-ferretdb: listening on %s (SQLite data in %s)\n", f.MongoDBURI(), dir)
	if err := f.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "herald-ferretdb: %v\n", err)
		os.Exit(1)
	}
}
