package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/config"
)

// Instance is a private PostgreSQL server for one test, which may stop and
// start it at will. It uses the binaries and OS user hack/with-postgres.sh
// exports (INITWAIT_PG_BINDIR, INITWAIT_PG_OSUSER).
type Instance struct {
	BinDir, DataDir, SockDir, OSUser string
	Port                             int
	Password                         string
	t                                testing.TB
}

// StartInstance initdb's and starts a private server; it is removed at cleanup.
func StartInstance(t testing.TB) *Instance {
	t.Helper()
	Require(t, "INITWAIT_PG_BINDIR")
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	in := &Instance{
		BinDir: os.Getenv("INITWAIT_PG_BINDIR"), DataDir: filepath.Join(dir, "data"),
		SockDir: filepath.Join(dir, "run"), OSUser: os.Getenv("INITWAIT_PG_OSUSER"),
		Password: randomHex(12), t: t,
	}
	t.Cleanup(func() {
		if _, err := os.Stat(filepath.Join(in.DataDir, "postmaster.pid")); err == nil {
			_ = in.pgCtl("-m", "immediate", "-w", "stop")
		}
		_ = os.RemoveAll(dir)
	})
	if err := os.Mkdir(in.SockDir, 0o755); err != nil {
		t.Fatal(err)
	}
	pwfile := filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(in.Password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, in.SockDir} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
		in.chown(p)
	}
	if out, err := in.run("initdb", "-D", in.DataDir, "-U", "initwait", "--pwfile="+pwfile,
		"-A", "scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	var startErr error
	for range 3 {
		in.Port = freePort(t)
		if startErr = in.Start(); startErr == nil {
			return in
		}
	}
	t.Fatalf("start private PostgreSQL: %v", startErr)
	return nil
}

// Database returns the settings for the instance's postgres database.
func (in *Instance) Database() config.Database {
	return config.Database{Host: "127.0.0.1", Port: strconv.Itoa(in.Port), Name: "postgres",
		User: "initwait", Password: in.Password, SSLMode: "disable"}
}

// Start starts the server and waits until it accepts connections.
func (in *Instance) Start() error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c max_connections=100", in.Port, in.SockDir)
	return in.pgCtl("-l", filepath.Join(in.DataDir, "..", "server.log"), "-w", "-t", "30", "-o", opts, "start")
}

// Stop shuts the server down the way an outage looks to clients: fast mode
// terminates every session at once.
func (in *Instance) Stop() error {
	return in.pgCtl("-m", "fast", "-w", "-t", "30", "stop")
}

// Log returns the server log, for failure messages.
func (in *Instance) Log() string {
	b, _ := os.ReadFile(filepath.Join(in.DataDir, "..", "server.log"))
	return string(b)
}

func (in *Instance) pgCtl(args ...string) error {
	out, err := in.run("pg_ctl", append([]string{"-D", in.DataDir}, args...)...)
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// run runs a server binary, as the OS user when there is one (we are root).
func (in *Instance) run(bin string, args ...string) ([]byte, error) {
	path := filepath.Join(in.BinDir, bin)
	cmd := exec.Command(path, args...)
	if in.OSUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", in.OSUser, "--", path}, args...)...)
	}
	return cmd.CombinedOutput()
}

func (in *Instance) chown(path string) {
	if in.OSUser == "" {
		return
	}
	u, err := user.Lookup(in.OSUser)
	if err != nil {
		in.t.Fatalf("look up OS user %s: %v", in.OSUser, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(path, uid, gid); err != nil {
		in.t.Fatal(err)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
