// Package waitfor reads what a container's command waits for: the hosts and
// ports it probes, the URLs it polls, the names it looks up, the Kubernetes
// objects it waits on and the files it waits to appear. It is pure: the
// command, args, env and a lookup of the container's mounted files go in,
// dependencies come out; following them through a cluster is the caller's
// business. Shell scripts are parsed with mvdan.cc/sh/v3/syntax and their
// words expanded with mvdan.cc/sh/v3/expand; the tools are a table of
// recognisers (see recognisers.go).
package waitfor

import (
	"net"
	"strconv"
)

// Var is one environment variable as the caller resolved it.
type Var struct {
	// Value is the variable's value when Resolved.
	Value string
	// Resolved is false when the value lives somewhere the caller could not read.
	Resolved bool
	// Source says where the value comes from, e.g. `Secret "db" key "host"`; empty for a literal.
	Source string
	// Missing is true when an unresolved value's Secret, ConfigMap or key does
	// not exist; false when it only could not be read (RBAC, timeout).
	Missing bool
	// Why says why an unresolved value could not be had, e.g. `Secret "db" does not exist`.
	Why string
}

// Env is a container's environment: name → variable. A name absent from Env is unset.
type Env map[string]Var

// Volume is the volume a path falls in, as the container mounts it.
type Volume struct {
	// Name is the pod's volume name.
	Name string `json:"name"`
	// Kind is emptyDir, hostPath, configMap, secret, persistentVolumeClaim, projected, ...
	Kind string `json:"kind"`
	// Source names what backs it: `ConfigMap "scripts"`, hostPath "/var/run/x", claim "data".
	Source string `json:"source,omitempty"`
	// MountPath is where the container mounts it.
	MountPath string `json:"mountPath"`
	// ReadOnly is the mount's readOnly flag.
	ReadOnly bool `json:"readOnly,omitempty"`
}

// Files answers questions about the container's filesystem. Either method
// may be backed by nothing (return false).
type Files interface {
	// ReadFile returns the content of the file at path when a volume the
	// caller could read serves it (a ConfigMap or Secret key); ok is false
	// otherwise, and why may say why (e.g. `ConfigMap "scripts" has no key "x.sh"`).
	ReadFile(path string) (content string, ok bool, why string)
	// VolumeAt returns the volume that holds path; ok is false when path is
	// on the container's own filesystem.
	VolumeAt(path string) (Volume, bool)
}

// Input is one container as far as its pod spec tells.
type Input struct {
	// Image is the container's image; with no Command it chooses the
	// entrypoint (see ContainerArgv).
	Image   string
	Command []string
	Args    []string
	Env     Env
	// Namespace is the pod's namespace, for the service account's namespace
	// file; empty when unknown.
	Namespace string
	// Files may be nil: then no script is read and no path has a volume.
	Files Files
}

// Kinds of dependency.
const (
	KindTCP      = "tcp"
	KindHTTP     = "http"
	KindHTTPS    = "https"
	KindDNS      = "dns"
	KindPostgres = "postgres"
	KindMySQL    = "mysql"
	KindRedis    = "redis"
	KindMongoDB  = "mongodb"
	KindRabbitMQ = "rabbitmq"
	// KindFile is a file the command waits to exist (Path, Volume).
	KindFile = "file"
	// KindObject is a Kubernetes object the command waits on (Object).
	KindObject = "k8s"
)

// Object is a Kubernetes object (or a set of them, by selector) waited on.
type Object struct {
	// Kind is lower case and singular: pod, job, service, deployment, statefulset, daemonset, ...
	Kind string `json:"kind"`
	// Name is empty when Selector chooses the objects.
	Name     string `json:"name,omitempty"`
	Selector string `json:"selector,omitempty"`
	// Namespace is empty for the pod's own.
	Namespace string `json:"namespace,omitempty"`
	// Condition is what is waited for: condition=complete, ready, rollout,
	// exists (ConditionExists), ...; empty for the kind's own "done"
	// (a Job complete, a Deployment available, a pod Ready).
	Condition string `json:"condition,omitempty"`
}

// ConditionExists is the condition of a `kubectl get` loop that only
// waits for the object to exist.
const ConditionExists = "exists"

// Dependency is one thing the command waits for.
type Dependency struct {
	// Kind is one of the Kind constants (the protocol probed, file or k8s).
	Kind string
	// Tool is the command that probes it: pg_isready, nc, wget, kubectl wait, ...
	Tool string
	// Host as the container resolves it; "$VAR" when it comes from a variable
	// that could not be read. Empty for file and k8s dependencies.
	Host string
	// Port probed; 0 for DNS look-ups or when it could not be read.
	Port int
	// PortText is the port as written (a number, a name or "$VAR").
	PortText string
	// URL for http(s) probes, password redacted.
	URL string
	// Path for file dependencies.
	Path string
	// Volume holds Path; nil when Path is on the container's own filesystem.
	Volume *Volume
	// Object for k8s dependencies.
	Object *Object
	// Unresolved says which parts could not be read and why, e.g.
	// `DB_HOST from Secret "db" key "host" (not readable)`.
	Unresolved []string
	// Missing is true when an unresolved variable's Secret, ConfigMap or key
	// does not exist.
	Missing bool
}

// Result is what a container's command waits for.
type Result struct {
	Dependencies []Dependency
	// Tools are the executables the command runs, as written (pg_isready,
	// /bin/sh, nc), first use first; shell builtins are left out.
	Tools []string
	// Notes say what could not be read and why: an unparsable script, a
	// script too large or not readable, a command computed at run time.
	Notes []string
}

// Address names what d waits for: host:port (host alone for DNS), the
// path of a file, or KIND/NAME (KIND -l SELECTOR) of an object.
func (d Dependency) Address() string {
	switch {
	case d.Kind == KindFile:
		return d.Path
	case d.Object != nil:
		if d.Object.Name == "" && d.Object.Selector != "" {
			return d.Object.Kind + " -l " + d.Object.Selector
		}
		return d.Object.Kind + "/" + d.Object.Name
	case d.Port == 0:
		return d.Host
	}
	return net.JoinHostPort(d.Host, strconv.Itoa(d.Port))
}
