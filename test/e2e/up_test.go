//go:build e2e

package e2e

// `kubectl initwait up` / `down` on the real cluster: the seed article reproduced
// (webapp waits in Init:0/1 without restarting while webapp-naive crash-loops,
// then both run once the database arrives), the shortener answering through
// svc/webapp, idempotent re-apply with the generated password kept, RBAC errors
// that name the verb and resource, and `down` leaving nothing labelled.
// Run: KUBECONFIG=.cluster/kubeconfig go test -tags e2e -run Up ./test/e2e/

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

const upManaged = "app.kubernetes.io/managed-by=kubectl-initwait"

// upRun runs the plugin with args and returns its combined output and error.
func upRun(t *testing.T, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, pluginBin, args...).CombinedOutput()
	return string(out), err
}

// upPodRow is one pod as `kubectl get pods` prints it.
type upPodRow struct {
	name, ready, status, app string
	restarts                 int
}

// upPods lists the demo's pods with kubectl's own STATUS/READY/RESTARTS columns.
func upPods(t *testing.T, ns string) []upPodRow {
	t.Helper()
	out := kubectl(t, "get", "pods", "-n", ns, "-l", upManaged, "--no-headers", "-L", "app.kubernetes.io/name")
	var rows []upPodRow
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || strings.HasPrefix(line, "No resources found") {
			continue
		}
		r, err := strconv.Atoi(f[3])
		if err != nil {
			t.Fatalf("RESTARTS %q in %q", f[3], line)
		}
		rows = append(rows, upPodRow{name: f[0], ready: f[1], status: f[2], restarts: r, app: f[len(f)-1]})
	}
	return rows
}

// upResourceVersions maps every labelled object of the deployed kinds to its resourceVersion.
func upResourceVersions(t *testing.T, ns string) map[string]string {
	t.Helper()
	dyn := dynamic.NewForConfigOrDie(restConfig)
	out := map[string]string{}
	for _, gvr := range []schema.GroupVersionResource{
		{Version: "v1", Resource: "configmaps"}, {Version: "v1", Resource: "secrets"},
		{Version: "v1", Resource: "services"}, {Group: "apps", Version: "v1", Resource: "deployments"},
	} {
		list, err := dyn.Resource(gvr).Namespace(ns).List(context.Background(), metav1.ListOptions{LabelSelector: upManaged})
		if err != nil {
			t.Fatalf("listing %s: %v", gvr.Resource, err)
		}
		for _, o := range list.Items {
			out[gvr.Resource+"/"+o.GetName()] = o.GetResourceVersion()
		}
	}
	return out
}

func upPassword(t *testing.T, ns string) string {
	t.Helper()
	s, err := clientset.CoreV1().Secrets(ns).Get(context.Background(), "database-secret-config", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading the Secret: %v", err)
	}
	return string(s.Data["password"])
}

func TestUpBothDBLaterThenIdempotentThenDown(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "up")

	// 1. up --variant both --db later --db-delay 20s; watch the pods meanwhile.
	cmd := exec.Command(pluginBin, "up", "-n", ns, "--variant", "both", "--db", "later", "--db-delay", "20s", "--no-watch")
	var upOut strings.Builder
	cmd.Stdout, cmd.Stderr = &upOut, &upOut
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	upDone := make(chan error, 1)
	go func() { upDone <- cmd.Wait() }()
	var (
		webappInit, naiveCrash bool
		seen                   = map[string]bool{}
		upErr                  error
		upFinished             bool
	)
	waitFor(t, 4*time.Minute, "webapp and webapp-naive Running and Ready", func(ctx context.Context) (bool, error) {
		select {
		case upErr = <-upDone:
			upFinished = true
			if upErr != nil {
				return false, fmt.Errorf("up: %v\n%s", upErr, upOut.String())
			}
		default:
		}
		ready := map[string]bool{}
		for _, p := range upPods(t, ns) {
			if !seen[p.app+" "+p.status] {
				seen[p.app+" "+p.status] = true
				t.Logf("%5.1fs %s: %s ready %s restarts %d", time.Since(start).Seconds(), p.app, p.status, p.ready, p.restarts)
			}
			switch p.app {
			case "webapp":
				if p.restarts != 0 {
					return false, fmt.Errorf("webapp (with init container) restarted: %+v", p)
				}
				if p.status == "Init:0/1" {
					webappInit = true
				}
			case "webapp-naive":
				if (p.status == "Error" || p.status == "CrashLoopBackOff") && p.restarts > 0 {
					naiveCrash = true
				}
			}
			ready[p.app] = p.status == "Running" && p.ready == "1/1"
		}
		return ready["webapp"] && ready["webapp-naive"] && ready["postgres"], nil
	})
	if !webappInit {
		t.Errorf("never saw webapp in Init:0/1 with 0 restarts (saw %v)", seen)
	}
	if !naiveCrash {
		t.Errorf("never saw webapp-naive in Error/CrashLoopBackOff with restarts > 0 (saw %v)", seen)
	}
	if !upFinished {
		select {
		case upErr = <-upDone:
		case <-time.After(time.Minute):
			t.Fatalf("up did not return:\n%s", upOut.String())
		}
	}
	if upErr != nil {
		t.Fatalf("up: %v\n%s", upErr, upOut.String())
	}
	out := upOut.String()
	t.Logf("up output:\n%s", out)
	for _, want := range []string{"deployment.apps/webapp created", "deployment.apps/webapp-naive created",
		"database: applying in 20s", "deployment.apps/postgres created", "secret/database-secret-config created (password generated"} {
		if !strings.Contains(out, want) {
			t.Errorf("up output lacks %q", want)
		}
	}
	if strings.Index(out, "deployment.apps/postgres created") < strings.Index(out, "deployment.apps/webapp-naive created") {
		t.Error("the database was applied before the webapp")
	}
	password := upPassword(t, ns)
	if len(password) != 32 || password == "initwait-demo-not-secret" {
		t.Errorf("password not generated: length %d", len(password))
	}
	if strings.Contains(out, password) || strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(password))) {
		t.Error("up printed the password")
	}

	// 2. The shortener answers through svc/webapp.
	t.Run("shortener through svc/webapp", func(t *testing.T) { upCheckShortener(t, ns) })

	// 3. up again: nothing changes, the password stays.
	t.Run("idempotent", func(t *testing.T) {
		before := upResourceVersions(t, ns)
		for _, args := range [][]string{
			{"up", "-n", ns, "--variant", "both", "--no-watch"},
			{"up", "-n", ns, "--variant", "both", "--dry-run=server"},
		} {
			out, err := upRun(t, time.Minute, args...)
			if err != nil {
				t.Fatalf("%v: %v\n%s", args, err, out)
			}
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if !strings.Contains(line, " unchanged") {
					t.Errorf("%v: line %q, want every object unchanged", args, line)
				}
			}
		}
		if after := upResourceVersions(t, ns); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("resourceVersions changed:\n before %v\n after  %v", before, after)
		}
		if upPassword(t, ns) != password {
			t.Error("the password changed on re-apply")
		}
	})

	// 4. With the stack Ready, up with the timeline returns 0 quickly.
	t.Run("watch until ready", func(t *testing.T) {
		out, err := upRun(t, 2*time.Minute, "up", "-n", ns, "--variant", "both", "--timeout", "90s", "--color", "never")
		if err != nil {
			t.Fatalf("up with timeline: %v\n%s", err, out)
		}
		if !strings.Contains(out, "webapp-naive") {
			t.Errorf("timeline does not mention webapp-naive's pod:\n%s", out)
		}
	})

	// 5. down removes every labelled object and is fine twice; the namespace stays.
	t.Run("down", func(t *testing.T) {
		out, err := upRun(t, 3*time.Minute, "down", "-n", ns)
		if err != nil {
			t.Fatalf("down: %v\n%s", err, out)
		}
		t.Logf("down:\n%s", out)
		left := kubectl(t, "get", "deployments,replicasets,pods,services,secrets,configmaps", "-n", ns, "-l", upManaged, "-o", "name")
		if strings.TrimSpace(left) != "" {
			t.Errorf("left after down:\n%s", left)
		}
		if _, err := clientset.CoreV1().Namespaces().Get(context.Background(), ns, metav1.GetOptions{}); err != nil {
			t.Errorf("namespace gone after down without --delete-namespace: %v", err)
		}
		out, err = upRun(t, time.Minute, "down", "-n", ns)
		if err != nil || !strings.Contains(out, "no object labelled") {
			t.Errorf("second down: %v\n%s", err, out)
		}
	})
}

// upCheckShortener port-forwards to svc/webapp, shortens a URL and follows its code.
func upCheckShortener(t *testing.T, ns string) {
	bin := os.Getenv("KUBECTL")
	if bin == "" {
		bin = "kubectl"
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pf := exec.CommandContext(ctx, bin, "port-forward", "-n", ns, "svc/webapp", ":80", "--address", "127.0.0.1")
	stdout, err := pf.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	pf.Stderr = pf.Stdout
	if err := pf.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = pf.Wait() }()
	portCh := make(chan string, 1)
	var once sync.Once
	go func() {
		re := regexp.MustCompile(`Forwarding from 127\.0\.0\.1:(\d+) -> 8080`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				once.Do(func() { portCh <- m[1] })
			}
		}
	}()
	var port string
	select {
	case port = <-portCh:
	case <-time.After(30 * time.Second):
		t.Fatal("kubectl port-forward did not report a port")
	}
	base := "http://127.0.0.1:" + port
	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	long := "https://example.com/initwait/" + strconv.FormatInt(time.Now().UnixNano(), 10)
	resp, err := client.PostForm(base+"/", url.Values{"full_url": {long}})
	if err != nil {
		t.Fatalf("POST /: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST / = %d %s", resp.StatusCode, body)
	}
	short := strings.TrimSpace(string(body))
	u, err := url.Parse(short)
	if err != nil || u.Path == "" || resp.Header.Get("Location") != short {
		t.Fatalf("short URL %q (Location %q): %v", short, resp.Header.Get("Location"), err)
	}
	resp, err = client.Get(base + u.Path)
	if err != nil {
		t.Fatalf("GET %s: %v", u.Path, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != long {
		t.Fatalf("GET %s = %d Location %q, want 307 to %s", u.Path, resp.StatusCode, resp.Header.Get("Location"), long)
	}
}

// TestUpForbiddenNamesVerbAndResource runs up as a ServiceAccount that may only
// read: one error line naming the verb, the resource and the namespace.
func TestUpForbiddenNamesVerbAndResource(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "up-rbac")
	ctx := context.Background()
	sa, err := clientset.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "reader"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = clientset.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "reader"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"", "apps"}, Verbs: []string{"get", "list"},
			Resources: []string{"configmaps", "secrets", "services", "deployments"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = clientset.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "reader"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "reader"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa.Name, Namespace: ns}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := clientset.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa.Name, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ca := restConfig.TLSClientConfig.CAFile
	if ca == "" {
		f, err := os.CreateTemp(t.TempDir(), "ca")
		if err != nil {
			t.Fatal(err)
		}
		f.Write(restConfig.TLSClientConfig.CAData)
		f.Close()
		ca = f.Name()
	}
	auth := []string{"--kubeconfig", "/dev/null", "--server", restConfig.Host, "--certificate-authority", ca, "--token", tok.Status.Token, "-n", ns}
	// The error names what the server refused, in its words: patch (the verb
	// of a server-side apply) while the reader may not patch; once it may,
	// create, which applying an object that does not exist yet also needs.
	user := "system:serviceaccount:" + ns + ":reader"
	for _, step := range []struct{ verbs []string }{{[]string{"get", "list"}}, {[]string{"get", "list", "patch"}}} {
		refused := "patch"
		if len(step.verbs) == 3 {
			role, err := clientset.RbacV1().Roles(ns).Get(ctx, "reader", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			role.Rules[0].Verbs = step.verbs
			if _, err := clientset.RbacV1().Roles(ns).Update(ctx, role, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			refused = "create"
		}
		want := fmt.Sprintf(`error: forbidden: User %q cannot %s configmaps in namespace %q`, user, refused, ns)
		waitFor(t, 30*time.Second, "the RBAC rules to take effect", func(ctx context.Context) (bool, error) {
			out, err := upRun(t, time.Minute, append([]string{"up", "--no-watch"}, auth...)...)
			if err == nil {
				return false, fmt.Errorf("up as a reader succeeded:\n%s", out)
			}
			if strings.TrimSpace(out) == want {
				return true, nil
			}
			t.Logf("up as reader (%s): %s", strings.Join(step.verbs, ","), strings.TrimSpace(out))
			return false, nil
		})
	}
	// down may list what it deletes but not the pods it waits for.
	out, err := upRun(t, time.Minute, append([]string{"down"}, auth...)...)
	if want := fmt.Sprintf(`cannot list replicasets.apps in namespace %q`, ns); err == nil || !strings.HasSuffix(strings.TrimSpace(out), want) {
		t.Errorf("down as reader: %v %q, want %q", err, out, want)
	}
}

// TestUpTerminatingNamespace runs up in a namespace being deleted (held by a
// finalizer): one line saying so and exit 1, not "unchanged" objects.
func TestUpTerminatingNamespace(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "up-term")
	ctx := context.Background()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "hold", Finalizers: []string{"initwait.test/hold"}}}
	if _, err := clientset.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	release := func() {
		_, _ = clientset.CoreV1().ConfigMaps(ns).Patch(context.Background(), "hold", "application/json-patch+json",
			[]byte(`[{"op":"remove","path":"/metadata/finalizers"}]`), metav1.PatchOptions{})
	}
	t.Cleanup(release)
	if err := clientset.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "namespace "+ns+" Terminating", func(ctx context.Context) (bool, error) {
		n, err := clientset.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		return err == nil && n.Status.Phase == corev1.NamespaceTerminating, err
	})
	for _, args := range [][]string{{"up", "--no-watch", "-n", ns}, {"up", "--dry-run=server", "-n", ns}} {
		out, err := upRun(t, time.Minute, args...)
		want := "error: namespace " + ns + " is being deleted (Terminating): "
		if err == nil || !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
			t.Errorf("%v: %v\n%s\nwant one line starting %q", args, err, out, want)
		}
	}
}

// TestUpInterruptedBeforeDatabase interrupts up during the --db later delay:
// the error says that the database was never applied, and it was not.
func TestUpInterruptedBeforeDatabase(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "up-int")
	var out strings.Builder
	cmd := exec.Command(pluginBin, "up", "-n", ns, "--db", "later", "--db-delay", "2m", "--timeout", "5m", "--color", "never")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "the webapp pod", func(ctx context.Context) (bool, error) {
		return len(upPods(t, ns)) > 0, nil
	})
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	if err == nil || !strings.HasPrefix(last, "error: ") ||
		!strings.HasSuffix(last, "stopped before the database was applied (run up again to apply it)") {
		t.Errorf("up interrupted: %v, last line %q; want an error saying the database was not applied", err, last)
	}
	if _, err := clientset.AppsV1().Deployments(ns).Get(context.Background(), "postgres", metav1.GetOptions{}); err == nil {
		t.Error("deployment postgres exists: the database was applied after all")
	}
}
