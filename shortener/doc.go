// Package shortener is the demo web service that kubectl-initwait deploys: a URL
// shortener on PostgreSQL, compatible with the seed application's API.
//
// The code lives in subpackages:
//
//   - config:  the YAML config file, environment overrides and the database settings
//   - store:   PostgreSQL storage (pgxpool): schema, codes, batched click counts, cache
//   - httpapi: the HTTP handlers and request validation
//   - cli:     the `shortener` and `shortener wait-db` commands
//
// This package itself holds only end-to-end tests across those packages.
package shortener
