package diagnose

import (
	"context"
	"net"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/waitfor"
)

// Dependency is something an init (or app) container waits for, read from
// its command, args and env by package waitfor.
type Dependency struct {
	// Kind is postgres, mysql, redis, mongodb, rabbitmq, tcp, http, https,
	// dns (the protocol probed), file (a path to appear) or k8s (an object).
	Kind string `json:"kind"`
	// Tool is the command that probes it: pg_isready, nc, wget, kubectl wait, ...
	Tool string `json:"tool"`
	// Host as the container resolves it: a Service name, FQDN, IP, or
	// "$VAR" when it comes from a variable that could not be read; empty for
	// file and k8s dependencies.
	Host string `json:"host"`
	// Port probed; 0 for DNS look-ups or when it could not be read.
	Port int `json:"port,omitempty"`
	// URL for http(s) probes.
	URL string `json:"url,omitempty"`
	// Path of a file dependency, and the volume it is on (none: the
	// container's own filesystem).
	Path   string          `json:"path,omitempty"`
	Volume *waitfor.Volume `json:"volume,omitempty"`
	// Object is the Kubernetes object a k8s dependency waits on.
	Object *waitfor.Object `json:"object,omitempty"`
	// Unresolved names the variables that could not be read, with their source,
	// e.g. `DB_HOST from Secret "db" key "host"`.
	Unresolved []string `json:"unresolved,omitempty"`

	portRaw string // the port as written, to name an unreadable variable
	// missing is true when an unresolved variable's Secret, ConfigMap or key
	// does not exist, false when it only could not be read.
	missing bool
	// container is the name of the container that waits.
	container string
}

// Address is host:port, host alone for a DNS dependency, the path of a
// file, or KIND/NAME of an object.
func (d Dependency) Address() string {
	switch {
	case d.Kind == waitfor.KindFile:
		return d.Path
	case d.Object != nil:
		return waitfor.Dependency{Kind: d.Kind, Object: d.Object}.Address()
	case d.Port == 0:
		return d.Host
	}
	return net.JoinHostPort(d.Host, strconv.Itoa(d.Port))
}

// containerDependencies reads what container c of pod waits for, with its
// env resolved through refs and the scripts its ConfigMap and Secret
// volumes serve (refs may be nil). notes say what could not be read.
func containerDependencies(ctx context.Context, refs RefReader, pod *corev1.Pod, c *corev1.Container) (deps []Dependency, notes []string) {
	res := waitfor.Parse(waitfor.Input{
		Image: c.Image, Command: c.Command, Args: c.Args,
		Env:       ContainerEnv(ctx, refs, pod, c),
		Namespace: pod.Namespace,
		Files:     newPodFiles(ctx, refs, pod, c),
	})
	for _, w := range res.Dependencies {
		deps = append(deps, Dependency{Kind: w.Kind, Tool: w.Tool, Host: w.Host, Port: w.Port, URL: w.URL,
			Path: w.Path, Volume: w.Volume, Object: w.Object, Unresolved: w.Unresolved,
			portRaw: w.PortText, missing: w.Missing, container: c.Name})
	}
	for _, n := range res.Notes {
		notes = append(notes, "command: "+n)
	}
	return deps, notes
}

// checkWait follows one dependency: a file through the pod's volumes, a
// Kubernetes object to its state (checkObject), anything else through its Service.
func (d *Diagnoser) checkWait(ctx context.Context, pod *corev1.Pod, dep Dependency) DependencyReport {
	switch dep.Kind {
	case waitfor.KindFile:
		return d.checkFile(ctx, pod, dep)
	case waitfor.KindObject:
		return d.checkObject(ctx, pod, dep)
	}
	return d.checkDependency(ctx, pod, dep)
}

// redactURL is waitfor's URL redaction, which diagnose relies on for every
// URL it prints.
func redactURL(raw string) string { return waitfor.RedactURL(raw) }
