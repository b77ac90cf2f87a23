//go:build e2e

package e2e

// The local cluster's registry (test/cluster): pods pull every image over HTTP as on any
// node, so pulls, pull errors and pull secrets are real; and its busybox behaves as the
// official image for the commands charts' init containers run.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// officialBusybox is upstream BusyBox built as the official image's glibc variant
// (test/cluster/image-busybox.sh).
const officialBusybox = "docker.io/library/busybox:1.37"

// podEvents is "REASON: MESSAGE" for each event about pod, oldest first.
func podEvents(ctx context.Context, t *testing.T, ns, pod string) []string {
	t.Helper()
	list, err := clientset.CoreV1().Events(ns).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("involvedObject.name", pod).String(),
	})
	if err != nil {
		t.Fatalf("listing events of %s: %v", pod, err)
	}
	var out []string
	for _, e := range list.Items {
		out = append(out, e.Reason+": "+e.Message)
	}
	return out
}

// waitEvent waits until an event about pod has reason and a message containing each of want.
func waitEvent(t *testing.T, ns, pod, reason string, want ...string) {
	t.Helper()
	var seen []string
	ok := false
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for !ok {
		seen = podEvents(ctx, t, ns, pod)
	search:
		for _, e := range seen {
			if !strings.HasPrefix(e, reason+": ") {
				continue
			}
			for _, w := range want {
				if !strings.Contains(e, w) {
					continue search
				}
			}
			ok = true
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no %s event with %q for pod %s; events:\n%s", reason, want, pod, strings.Join(seen, "\n"))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// waitPhase waits for the pod to reach phase and returns it.
func waitPhase(t *testing.T, ns, name string, phase corev1.PodPhase) *corev1.Pod {
	t.Helper()
	var pod *corev1.Pod
	waitFor(t, 90*time.Second, fmt.Sprintf("pod %s to be %s", name, phase), func(ctx context.Context) (bool, error) {
		p, err := clientset.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		pod = p
		if p.Status.Phase == corev1.PodFailed && phase != corev1.PodFailed {
			return false, fmt.Errorf("pod failed: %+v", p.Status.ContainerStatuses)
		}
		return p.Status.Phase == phase, nil
	})
	return pod
}

func imagePod(name, image string, policy corev1.PullPolicy, script string) *corev1.Pod {
	p := clusterPod(name, script, corev1.RestartPolicyNever)
	p.Spec.Containers[0].Image, p.Spec.Containers[0].ImagePullPolicy = image, policy
	return p
}

// TestRegistryPull: a fresh pod with imagePullPolicy Always pulls from the registry (the
// kubelet's own Pulling/Pulled events), and a tag the registry lacks is a real pull error.
func TestRegistryPull(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "registry-pull")
	clusterCreatePod(t, ns, imagePod("fresh", officialBusybox, corev1.PullAlways, "echo pulled"))
	waitPhase(t, ns, "fresh", corev1.PodSucceeded)
	waitEvent(t, ns, "fresh", "Pulling", `Pulling image "`+officialBusybox+`"`)
	waitEvent(t, ns, "fresh", "Pulled", `Successfully pulled image "`+officialBusybox+`"`)

	missing := "docker.io/library/busybox:no-such-tag"
	clusterCreatePod(t, ns, imagePod("missing", missing, corev1.PullIfNotPresent, "true"))
	// containerd's own words: the mirror (the cluster's registry) answered 404 for the tag.
	waitEvent(t, ns, "missing", "Failed", missing, "not found")
}

// TestRegistryPullSecret: an image in a registry that wants a login fails to pull without
// a pull secret (401 from the registry), and runs with one.
func TestRegistryPullSecret(t *testing.T) {
	t.Parallel()
	reg := startPrivateRegistry(t)
	ref := reg.Copy(t, clusterRegistry+"/library/busybox:1.37", "private/busybox:1.37")
	ns := newNamespace(t, "registry-secret")

	clusterCreatePod(t, ns, imagePod("no-secret", ref, corev1.PullAlways, "true"))
	waitEvent(t, ns, "no-secret", "Failed", ref, "401 Unauthorized")

	reg.PullSecret(t, ns, "private-registry")
	p := imagePod("with-secret", ref, corev1.PullAlways, "echo pulled with a secret")
	p.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "private-registry"}}
	clusterCreatePod(t, ns, p)
	waitPhase(t, ns, "with-secret", corev1.PodSucceeded)
	waitEvent(t, ns, "with-secret", "Pulled", `Successfully pulled image "`+ref+`"`)
}

// appletScript runs what charts' init containers run, printing one "name=exit-code" line
// per command (commands from public charts: `nc -z -w` as in keycloak's and sentry's wait
// loops, `wget --spider`/`-qO-` with -T, nslookup of a bare Service name, timeout).
// web:8081 is a port the Service lacks: the cluster drops it, so nc and wget wait out -w/-T.
const appletScript = `
nc -z -w 2 web 8080; echo "nc-open=$?"
nc -z -w 1 web 8081; echo "nc-closed=$?"
wget -T 2 -qO- http://web:8080/index.html; echo "wget-body=$?"
wget -T 2 --spider http://web:8080/index.html; echo "wget-spider=$?"
wget -T 2 --spider http://web:8080/missing 2>&1; echo "wget-missing=$?"
wget -T 1 -qO- http://web:8081/ 2>&1; echo "wget-timeout=$?"
nslookup web; echo "nslookup=$?"
timeout 1 sleep 5; echo "timeout=$?"
`

// TestBusyboxOfficialApplets: the cluster's busybox:1.37 behaves as the official image for
// the applets charts rely on (Debian's busybox-static, which the cluster had before,
// rejects nc -z and crashes on wget -T).
func TestBusyboxOfficialApplets(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "busybox-applets")
	web := imagePod("web", officialBusybox, corev1.PullIfNotPresent,
		"mkdir -p /tmp/www && echo hello-from-httpd >/tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www")
	web.Labels = map[string]string{"app": "web"}
	clusterCreatePod(t, ns, web)
	svc, err := clientset.CoreV1().Services(ns).Create(context.Background(), &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{{Port: 8080, TargetPort: intstr.FromInt32(8080)}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitPhase(t, ns, "web", corev1.PodRunning)
	clusterCreatePod(t, ns, imagePod("client", officialBusybox, corev1.PullIfNotPresent, appletScript))
	waitPhase(t, ns, "client", corev1.PodSucceeded)
	b, err := clientset.CoreV1().Pods(ns).GetLogs("client", &corev1.PodLogOptions{Container: "main"}).DoRaw(context.Background())
	if err != nil {
		t.Fatalf("client's log: %v", err)
	}
	out := string(b)
	for _, want := range []string{
		"nc-open=0\n", "nc-closed=1\n",
		"hello-from-httpd\nwget-body=0\n", "wget-spider=0\n",
		"server returned error: HTTP/1.1 404 Not Found\nwget-missing=1\n",
		"wget-timeout=1\n",
		// Upstream's nslookup (networking/nslookup.c) asks every search domain at once and
		// exits 1 when any answers NXDOMAIN, after printing the one answer: so does the
		// official image on any Kubernetes cluster (why guides pin busybox:1.28 for DNS).
		"Name:\tweb." + ns + ".svc.cluster.local\nAddress: " + svc.Spec.ClusterIP + "\n",
		"** server can't find web.svc.cluster.local: NXDOMAIN\n", "nslookup=1\n",
		"timeout=143\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("client output lacks %q; output:\n%s", want, out)
		}
	}
	for _, bad := range []string{"invalid option", "Segmentation fault", "=139\n"} {
		if strings.Contains(out, bad) {
			t.Errorf("client output has %q (Debian's busybox, not the official one's behaviour):\n%s", bad, out)
		}
	}
}

// TestRegistryShortenerIndex: what `cluster.sh images` published through hack/image.sh —
// the release's publishing step, run against the cluster's registry — is one OCI index of
// linux/amd64 and linux/arm64, and the node pulls its own platform's image from it.
func TestRegistryShortenerIndex(t *testing.T) {
	t.Parallel()
	ref, err := name.ParseReference(clusterRegistry + "/kubectl-initwait/shortener:v0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(ref)
	if err != nil {
		t.Fatalf("reading the shortener index from the cluster's registry: %v", err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, d := range m.Manifests {
		platforms = append(platforms, d.Platform.String())
	}
	if m.MediaType != types.OCIImageIndex || strings.Join(platforms, " ") != "linux/amd64 linux/arm64" {
		t.Fatalf("shortener index: %s with %v; want an OCI index of linux/amd64 and linux/arm64", m.MediaType, platforms)
	}
	ns := newNamespace(t, "registry-index")
	p := imagePod("shortener", "ghcr.io/kubectl-initwait/shortener:v0.1.0", corev1.PullAlways, "")
	p.Spec.Containers[0].Command = []string{"/shortener", "--help"}
	clusterCreatePod(t, ns, p)
	waitEvent(t, ns, "shortener", "Pulled", `Successfully pulled image "ghcr.io/kubectl-initwait/shortener:v0.1.0"`)
	waitFor(t, 60*time.Second, "the shortener container to run", func(ctx context.Context) (bool, error) {
		pod, err := clientset.CoreV1().Pods(ns).Get(ctx, "shortener", metav1.GetOptions{})
		if err != nil || len(pod.Status.ContainerStatuses) == 0 {
			return false, err
		}
		s := pod.Status.ContainerStatuses[0]
		return s.State.Terminated != nil || s.LastTerminationState.Terminated != nil || s.State.Running != nil, nil
	})
}
