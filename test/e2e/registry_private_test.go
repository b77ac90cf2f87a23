//go:build e2e

package e2e

// A second registry for tests of pull secrets and pull failures: the local cluster's own
// distribution registry binary (test/cluster/build.sh) on another loopback port, with
// htpasswd authentication, storage in memory. containerd on this node reaches it like the
// cluster's registry (plain HTTP to a loopback address).

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/crypto/bcrypt"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
)

// clusterRegistry is the local cluster's registry (test/cluster/lib.sh's REGISTRY), which
// containerd pulls docker.io, ghcr.io and registry.k8s.io images from.
const clusterRegistry = "127.0.0.1:5000"

// privateRegistry is a registry that wants a login.
type privateRegistry struct {
	// Host is HOST:PORT, the first part of an image reference (127.0.0.1:PORT/REPO:TAG).
	Host string
	// User and Password are the only credentials it accepts.
	User, Password string
}

// registryBinary is the distribution registry that `cluster.sh up` built.
func registryBinary(t testing.TB) string {
	t.Helper()
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	found, _ := filepath.Glob(filepath.Join(cache, "kubectl-initwait", "bin", "registry-*", "registry"))
	if len(found) == 0 {
		t.Fatalf("no distribution registry under %s/kubectl-initwait/bin (test/cluster/cluster.sh up builds it)", cache)
	}
	sort.Strings(found)
	return found[len(found)-1]
}

// startPrivateRegistry starts a registry with htpasswd authentication (bcrypt, one user) on
// a free loopback port and stops it when the test ends. Push to it with reg.Copy; pods pull
// from it with reg.PullSecret.
func startPrivateRegistry(t testing.TB) privateRegistry {
	t.Helper()
	dir := t.TempDir()
	reg := privateRegistry{User: "initwait", Password: rand.String(16)}
	hash, err := bcrypt.GenerateFromPassword([]byte(reg.Password), bcrypt.DefaultCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(reg.User+":"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	reg.Host = l.Addr().String()
	l.Close()
	config := fmt.Sprintf(`version: 0.1
log: {level: warn}
storage: {inmemory: {}}
http: {addr: %q}
auth:
  htpasswd: {realm: initwait-e2e, path: %q}
`, reg.Host, filepath.Join(dir, "htpasswd"))
	if err := os.WriteFile(filepath.Join(dir, "config.yml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	log, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(registryBinary(t), "serve", filepath.Join(dir, "config.yml"))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the private registry: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		log.Close()
	})
	waitFor(t, 20*time.Second, "the private registry at "+reg.Host, func(ctx context.Context) (bool, error) {
		resp, err := http.Get("http://" + reg.Host + "/v2/")
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		// 401: it is up, and wants a login.
		return resp.StatusCode == http.StatusUnauthorized, nil
	})
	return reg
}

// Copy copies image src (any reference go-containerregistry resolves, e.g. one in the
// cluster's registry) to REPO:TAG in the private registry with its credentials, and
// returns the full reference pods use.
func (r privateRegistry) Copy(t testing.TB, src, repoTag string) string {
	t.Helper()
	from, err := name.ParseReference(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := r.Host + "/" + repoTag
	to, err := name.ParseReference(dst)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(from)
	if err != nil {
		t.Fatalf("reading %s: %v", src, err)
	}
	auth := remote.WithAuth(&authn.Basic{Username: r.User, Password: r.Password})
	if desc.MediaType.IsIndex() {
		var idx v1.ImageIndex
		if idx, err = desc.ImageIndex(); err == nil {
			err = remote.WriteIndex(to, idx, auth)
		}
	} else {
		var img v1.Image
		if img, err = desc.Image(); err == nil {
			err = remote.Write(to, img, auth)
		}
	}
	if err != nil {
		t.Fatalf("copying %s to %s: %v", src, dst, err)
	}
	return dst
}

// PullSecret creates, in ns, a kubernetes.io/dockerconfigjson Secret named secretName
// holding the registry's credentials, as `kubectl create secret docker-registry` makes it.
func (r privateRegistry) PullSecret(t testing.TB, ns, secretName string) {
	t.Helper()
	auth := base64.StdEncoding.EncodeToString([]byte(r.User + ":" + r.Password))
	cfg, err := json.Marshal(map[string]any{"auths": map[string]any{
		r.Host: map[string]string{"username": r.User, "password": r.Password, "auth": auth},
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = clientset.CoreV1().Secrets(ns).Create(context.Background(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: secretName},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: cfg},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating pull secret %s: %v", secretName, err)
	}
}
