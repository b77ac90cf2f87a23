package stack

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/apierr"
)

// Client talks to one cluster: a dynamic client, a RESTMapper to find each
// kind's resource, and the server's address for error messages.
type Client struct {
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
	Server  string
}

// NewClient builds a Client from kubectl's flags (kubeconfig, context, ...).
func NewClient(getter genericclioptions.RESTClientGetter) (*Client, error) {
	cfg, err := getter.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	// Ask the server its version first: an unreachable cluster then fails
	// here, in one line, before discovery retries and logs.
	disc, err := getter.ToDiscoveryClient()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	if _, err := disc.ServerVersion(); err != nil {
		return nil, apierr.Explain(err, "get", "version", "", "", cfg.Host)
	}
	mapper, err := getter.ToRESTMapper()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	return &Client{Dynamic: dyn, Mapper: mapper, Server: cfg.Host}, nil
}

// Action is what an apply did to an object.
type Action string

// The actions Apply reports.
const (
	Created    Action = "created"
	Configured Action = "configured"
	Unchanged  Action = "unchanged"
)

// Result is the outcome of applying one object.
type Result struct {
	Ref    string // deployment.apps/webapp
	Action Action
	DryRun bool
	// Object is the object as the server returned it.
	Object *unstructured.Unstructured
}

// String is the line kubectl would print: "deployment.apps/webapp created".
func (r Result) String() string {
	s := r.Ref + " " + string(r.Action)
	if r.DryRun {
		s += " (server dry run)"
	}
	return s
}

// ApplyOptions tunes Apply.
type ApplyOptions struct {
	// DryRun sends every request with dryRun=All: validated, not persisted.
	DryRun bool
	// Force takes over fields that another field manager owns. Off by
	// default: a conflict then names the fields and their manager.
	Force bool
}

// resource finds the REST resource of obj's kind.
func (c *Client) resource(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, apierr.Explain(err, "find", gvk.Kind, "", "", c.Server)
	}
	return m, nil
}

func (c *Client) iface(m *meta.RESTMapping, namespace string) dynamic.ResourceInterface {
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return c.Dynamic.Resource(m.Resource).Namespace(namespace)
	}
	return c.Dynamic.Resource(m.Resource)
}

func resourceName(m *meta.RESTMapping) string {
	if m.Resource.Group == "" {
		return m.Resource.Resource
	}
	return m.Resource.Resource + "." + m.Resource.Group
}

// Apply server-side applies objs in order with field manager
// kubectl-initwait, calling report after each one. It stops at the first
// error; applying again completes what was left.
func (c *Client) Apply(ctx context.Context, objs []*unstructured.Unstructured, o ApplyOptions, report func(Result)) error {
	for _, obj := range objs {
		r, err := c.applyOne(ctx, obj, o)
		if err != nil {
			return err
		}
		if report != nil {
			report(r)
		}
	}
	return nil
}

func (c *Client) applyOne(ctx context.Context, obj *unstructured.Unstructured, o ApplyOptions) (Result, error) {
	m, err := c.resource(obj.GroupVersionKind())
	if err != nil {
		return Result{}, err
	}
	ns := obj.GetNamespace()
	ri := c.iface(m, ns)
	res := resourceName(m)
	before, err := ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		before = nil
	case err != nil:
		return Result{}, apierr.Explain(err, "get", res, obj.GetName(), ns, c.Server)
	}
	opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: o.Force}
	if o.DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	after, err := ri.Apply(ctx, obj.GetName(), obj, opts)
	if err != nil {
		if apierrors.IsConflict(err) {
			return Result{}, fmt.Errorf("%s: %s (another field manager owns these fields; re-run with --force-conflicts to take them over)",
				Ref(obj), apierr.OneLine(err.Error()))
		}
		return Result{}, apierr.Explain(err, "apply", res, obj.GetName(), ns, c.Server)
	}
	r := Result{Ref: Ref(obj), Action: Configured, DryRun: o.DryRun, Object: after}
	switch {
	case before == nil:
		r.Action = Created
	case sameObject(before, after, o.DryRun):
		r.Action = Unchanged
	}
	return r, nil
}

// sameObject tells whether an apply changed nothing. A persisted change
// bumps the resourceVersion; a dry-run one does not, so compare contents.
func sameObject(before, after *unstructured.Unstructured, dryRun bool) bool {
	if !dryRun {
		return before.GetResourceVersion() == after.GetResourceVersion()
	}
	b, a := before.DeepCopy(), after.DeepCopy()
	for _, u := range []*unstructured.Unstructured{a, b} {
		u.SetResourceVersion("")
		u.SetManagedFields(nil)
	}
	return equality.Semantic.DeepEqual(b.Object, a.Object)
}

// EnsureNamespace creates the namespace unless it exists. With dryRun, a
// missing namespace is an error: the server cannot validate objects in a
// namespace that does not exist. So is a namespace being deleted: the server
// refuses new objects in it and keeps the old ones only until they go.
func (c *Client) EnsureNamespace(ctx context.Context, name string, dryRun bool) (*Result, error) {
	obj := NamespaceObject(name)
	m, err := c.resource(obj.GroupVersionKind())
	if err != nil {
		return nil, err
	}
	ri := c.iface(m, "")
	existing, err := ri.Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil:
		return nil, TerminatingError(existing)
	case apierrors.IsForbidden(err):
		// Many users may not read namespaces but may deploy into theirs.
		return nil, nil
	case !apierrors.IsNotFound(err):
		return nil, apierr.Explain(err, "get", "namespaces", name, "", c.Server)
	}
	if dryRun {
		return nil, fmt.Errorf("namespace %s does not exist: a server dry run cannot validate objects in it (create it, or use --dry-run=client)", name)
	}
	created, err := ri.Create(ctx, obj, metav1.CreateOptions{FieldManager: FieldManager})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, apierr.Explain(err, "create", "namespaces", name, "", c.Server)
	}
	return &Result{Ref: "namespace/" + name, Action: Created, Object: created}, nil
}

// TerminatingError says that namespace ns is being deleted, or is nil when
// it is not.
func TerminatingError(ns *unstructured.Unstructured) error {
	phase, _, _ := unstructured.NestedString(ns.Object, "status", "phase")
	if ns.GetDeletionTimestamp() == nil && phase != "Terminating" {
		return nil
	}
	return fmt.Errorf("namespace %s is being deleted (Terminating): wait until it is gone (kubectl get namespace %s), then run up again, or use another namespace", ns.GetName(), ns.GetName())
}

// ExistingSecretData returns the data of the database Secret in namespace,
// or nil when there is none.
func (c *Client) ExistingSecretData(ctx context.Context, namespace string) (map[string][]byte, error) {
	ri := c.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}).Namespace(namespace)
	obj, err := ri.Get(ctx, SecretName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, apierr.Explain(err, "get", "secrets", SecretName, namespace, c.Server)
	}
	return SecretData(obj)
}

// SecretOutcome says what PrepareDatabaseSecret did with the password.
type SecretOutcome struct {
	// Generated: there was no password, a crypto/rand one was made.
	Generated bool
	// ManifestPassword: the existing Secret holds the fixed demo password
	// written in the manifests (a plain `kubectl apply -k` installed it), which
	// is public. It is kept like any existing password.
	ManifestPassword bool
}

// PrepareSecret is PrepareDatabaseSecret that only reports whether it
// generated a password.
func (c *Client) PrepareSecret(ctx context.Context, namespace string, objs []*unstructured.Unstructured) (bool, error) {
	out, err := c.PrepareDatabaseSecret(ctx, namespace, objs)
	return out.Generated, err
}

// PrepareDatabaseSecret fills the database Secret among objs: the existing
// Secret's data if there is one, a fresh crypto/rand password otherwise. It
// reports whether it generated a password (which it never returns or prints)
// and whether the kept one is the manifests' public demo password.
func (c *Client) PrepareDatabaseSecret(ctx context.Context, namespace string, objs []*unstructured.Unstructured) (SecretOutcome, error) {
	s := FindSecret(objs)
	if s == nil {
		return SecretOutcome{}, nil
	}
	existing, err := c.ExistingSecretData(ctx, namespace)
	if err != nil {
		return SecretOutcome{}, err
	}
	rendered, err := SecretData(s)
	if err != nil {
		return SecretOutcome{}, err
	}
	data, generated, err := ResolveSecretData(rendered, existing, func() (string, error) { return GeneratePassword(32) })
	if err != nil {
		return SecretOutcome{}, err
	}
	out := SecretOutcome{Generated: generated, ManifestPassword: HoldsManifestPassword(rendered, existing)}
	return out, SetSecretData(s, data)
}
