package stack

import (
	"fmt"
	"regexp"
	"strings"

	"sigs.k8s.io/kustomize/api/types"
)

// ImageRef is a parsed container image reference: NAME[:TAG][@DIGEST].
type ImageRef struct {
	Name, Tag, Digest string
}

var (
	imageNameRE   = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$`)
	imageHostRE   = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]+)?$`)
	imageTagRE    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	imageDigestRE = regexp.MustCompile(`^[a-z0-9]+([+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$`)
)

// ParseImage checks and splits an image reference. A reference with neither
// tag nor digest means tag "latest", as for docker and the kubelet.
func ParseImage(ref string) (ImageRef, error) {
	bad := func(why string) (ImageRef, error) {
		return ImageRef{}, fmt.Errorf("invalid image reference %q: %s", ref, why)
	}
	if ref == "" {
		return bad("empty")
	}
	var r ImageRef
	rest := ref
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		r.Digest, rest = rest[i+1:], rest[:i]
		if !imageDigestRE.MatchString(r.Digest) {
			return bad("digest must be ALGORITHM:HEX")
		}
	}
	if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, '/') {
		r.Tag, rest = rest[i+1:], rest[:i]
		if !imageTagRE.MatchString(r.Tag) {
			return bad("bad tag")
		}
	}
	r.Name = rest
	// The first component may be a registry host (with dots, a port or capitals).
	host, path, found := strings.Cut(rest, "/")
	if found && (strings.ContainsAny(host, ".:") || host == "localhost") {
		if !imageHostRE.MatchString(host) {
			return bad("bad registry host")
		}
		rest = path
	}
	if !imageNameRE.MatchString(rest) {
		return bad("name must be lower-case components separated by /")
	}
	if r.Tag == "" && r.Digest == "" {
		r.Tag = "latest"
	}
	return r, nil
}

// String joins the reference again.
func (r ImageRef) String() string {
	s := r.Name
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// imageOverride is the kustomize images entry that replaces image from by to.
func imageOverride(from, to string) (types.Image, error) {
	f, err := ParseImage(from)
	if err != nil {
		return types.Image{}, err
	}
	t, err := ParseImage(to)
	if err != nil {
		return types.Image{}, err
	}
	img := types.Image{Name: f.Name, NewName: t.Name, NewTag: t.Tag, Digest: t.Digest}
	if t.Digest != "" && t.Tag != "" {
		// kustomize ignores the tag when a digest is given; keep both.
		img.NewTag, img.Digest = t.Tag+"@"+t.Digest, ""
	}
	return img, nil
}
