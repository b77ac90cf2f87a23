// Package manifests holds the demo stack as a kustomize tree, embedded in the
// plugin so that `kubectl initwait up` and a plain `kubectl apply -k
// manifests/overlays/<variant>` deploy the same objects.
//
// Layout:
//
//	base/                     app-config, database-secret-config, Service webapp
//	components/database/      Deployment + Service postgres
//	components/webapp/        Deployment webapp (init container check-db-ready)
//	components/webapp-naive/  Deployment webapp-naive (no init container)
//	components/webapp-waitdb/ Deployment webapp-waitdb (init container wait-db)
//	overlays/{init,naive,both,compare}/  base + database + the named webapps
package manifests

import "embed"

// FS is the kustomize tree: base, components and overlays.
//
//go:embed base components overlays
var FS embed.FS

// Base, ComponentsDir and OverlaysDir are the tree's top-level folders in FS.
const (
	Base          = "base"
	ComponentsDir = "components"
	OverlaysDir   = "overlays"
)
