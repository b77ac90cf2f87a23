// Package targettest serves tests a cluster's discovery without a cluster:
// the /api and /apis documents of a Kubernetes v1.34 API server, kept in
// discovery/ (for now a hand-written subset: core, apps and batch, with
// their short names), served by an httptest server on loopback. The
// mappers built on it are built as ConfigFlags.ToRESTMapper builds the
// mapper of a real cluster (deferred discovery, short-name expansion), so
// a spelling that resolves here resolves the same way against the server.
package targettest

import (
	"embed"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/rest"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

//go:embed discovery/*.json
var recorded embed.FS

var (
	serverOnce sync.Once
	serverURL  string
)

// URL is the address of the recorded discovery, served for the whole test
// binary: /api, /api/v1, /apis and /apis/GROUP/VERSION; any other path is 404.
func URL() string {
	serverOnce.Do(func() {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			name := strings.ReplaceAll(strings.Trim(r.URL.Path, "/"), "/", "_") + ".json"
			body, err := recorded.ReadFile(path.Join("discovery", name))
			if err != nil {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		}))
		serverURL = srv.URL
	})
	return serverURL
}

// Mapper is the RESTMapper of the recorded cluster, built as
// ConfigFlags.ToRESTMapper builds it (target.NewMapper), its discovery
// cached in memory instead of on disk.
func Mapper() meta.RESTMapper {
	return target.NewMapper(memory.NewMemCacheClient(discovery.NewDiscoveryClientForConfigOrDie(&rest.Config{Host: URL()})))
}

// ConfigFlags returns kubeconfig flags that point at the recorded cluster,
// with namespace ns and a discovery cache of their own: their
// ToRESTMapper is the very mapper the commands use.
func ConfigFlags(t testing.TB, ns string) *genericclioptions.ConfigFlags {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(true)
	server, cache, kubeconfig := URL(), t.TempDir(), "/dev/null"
	flags.APIServer, flags.CacheDir, flags.KubeConfig, flags.Namespace = &server, &cache, &kubeconfig, &ns
	return flags
}
