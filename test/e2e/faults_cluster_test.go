//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// components are the running cluster's daemons: the pid files its scripts
// keep (a killed daemon's file stays until it is restarted).
func components(t testing.TB) []string {
	files, _ := filepath.Glob(filepath.Join(clusterState(t), "pids", "*.pid"))
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(filepath.Base(f), ".pid"))
	}
	return out
}

// clusterState is the .cluster folder of the running local cluster (the
// checkout that started it, from /run/kubectl-initwait/owner); the fault
// tests are skipped on any other cluster.
func clusterState(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(repoRoot, ".cluster")
	if b, err := os.ReadFile("/run/kubectl-initwait/owner"); err == nil {
		dir = strings.TrimSpace(string(b))
	}
	if _, err := os.Stat(filepath.Join(dir, "pids", "kube-apiserver.pid")); err != nil {
		t.Skipf("not the project's local cluster (no kube-apiserver pid file): %v", err)
	}
	return dir
}

// componentPID is the pid the cluster scripts recorded for name, 0 if none.
func componentPID(t testing.TB, name string) int {
	b, err := os.ReadFile(filepath.Join(clusterState(t), "pids", name+".pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// procState is the state letter of /proc/PID/stat (R, S, T for stopped...),
// "" when the process is gone.
func procState(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil || pid == 0 {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return ""
	}
	return s[i+2 : i+3]
}

// clusterCtl runs this checkout's test/cluster/cluster.sh (restart, kill,
// pause, resume act on the owner's running cluster).
func clusterCtl(t testing.TB, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(repoRoot, "test", "cluster", "cluster.sh"), args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cluster.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("cluster.sh %s", strings.Join(args, " "))
}

// clusterHealthy runs `cluster.sh status` of the checkout that owns the
// cluster: nil when every component runs and the node is Ready.
func clusterHealthy(t testing.TB) error {
	owner := filepath.Dir(clusterState(t))
	out, err := exec.Command(filepath.Join(owner, "test", "cluster", "cluster.sh"), "status").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v\n%s", err, out)
	}
	return nil
}

// healCluster brings every component back however a fault test ended:
// stopped ones get SIGCONT, dead ones are restarted; then it waits for
// `cluster.sh status` to pass. Register it with t.Cleanup before the fault
// (and after newNamespace, so it runs before the namespace is deleted).
func healCluster(t testing.TB) {
	t.Helper()
	for _, c := range components(t) {
		pid := componentPID(t, c)
		switch procState(pid) {
		case "T", "t":
			_ = syscall.Kill(pid, syscall.SIGCONT)
			t.Logf("cleanup: resumed %s", c)
		case "", "Z":
			t.Logf("cleanup: %s is not running; restarting it", c)
			clusterCtl(t, "restart", c)
		}
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		err := clusterHealthy(t)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cluster is not healthy 3 minutes after the fault: %v", err)
		}
		// the kubelet dies when containerd goes away while it starts
		if procState(componentPID(t, "kubelet")) == "" {
			clusterCtl(t, "restart", "kubelet")
		}
		time.Sleep(2 * time.Second)
	}
}

// waitHealthy waits up to d for the cluster to be healthy again after a fault.
func waitHealthy(t testing.TB, d time.Duration) {
	t.Helper()
	waitFor(t, d, "cluster.sh status to pass", func(context.Context) (bool, error) {
		return clusterHealthy(t) == nil, nil
	})
}
