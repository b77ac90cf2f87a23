package localcluster

import "fmt"

// LoadImage is the command that copies image from the local Docker (or
// Podman) image store into the cluster's nodes, with the cluster's name
// when it is not the tool's default; empty for Unknown.
func (c Cluster) LoadImage(image string) string {
	switch c.Kind {
	case KindKind:
		return "kind load docker-image " + image + c.flag("--name", defaultKindName)
	case K3d:
		return "k3d image import " + image + c.flag("-c", defaultK3dName)
	case Minikube:
		return "minikube image load " + image + c.flag("-p", defaultMinikubeName)
	}
	return ""
}

// LoadArchive is the command that loads an image tarball (docker save
// format) into the cluster's nodes; empty for Unknown.
func (c Cluster) LoadArchive(file string) string {
	switch c.Kind {
	case KindKind:
		return "kind load image-archive " + file + c.flag("--name", defaultKindName)
	case K3d:
		return "k3d image import " + file + c.flag("-c", defaultK3dName) // k3d takes tarballs as they are
	case Minikube:
		return "minikube image load " + file + c.flag("-p", defaultMinikubeName)
	}
	return ""
}

func (c Cluster) flag(name, dflt string) string {
	if c.Name == "" || c.Name == dflt {
		return ""
	}
	return " " + name + " " + c.Name
}

// LoadCommands are the ways to get image into a cluster no registry of
// which serves it: the detected tool's command first, then the others'
// (with their default cluster names), then pushing it with crane to a
// registry the cluster can reach.
func (c Cluster) LoadCommands(image string) []string {
	var out []string
	if c.Kind != Unknown {
		out = append(out, c.LoadImage(image))
	}
	for _, k := range []Kind{KindKind, Minikube, K3d} {
		if k != c.Kind {
			out = append(out, Cluster{Kind: k}.LoadImage(image))
		}
	}
	return append(out, "crane push IMAGE.tar REGISTRY/REPO:TAG (a registry the cluster can reach; then use that reference)")
}

// String names the cluster as a person would: `kind cluster "dev"`.
func (c Cluster) String() string {
	if c.Kind == Unknown {
		return "a cluster of unknown kind"
	}
	if c.Name == "" {
		return fmt.Sprintf("a %s cluster", c.Kind)
	}
	return fmt.Sprintf("%s cluster %q", c.Kind, c.Name)
}
