package stack

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/buildinfo"
	"sigs.k8s.io/kustomize/api/types"
)

// ImageRef is a parsed container image reference: NAME[:TAG][@DIGEST]. Name is
// as written (not expanded to index.docker.io/library/...), since kustomize
// matches images by the name the manifests use.
type ImageRef struct {
	Name, Tag, Digest string
}

// ParseImage checks an image reference with go-containerregistry's name
// package and splits it. A reference with neither tag nor digest means tag
// "latest", as for docker and the kubelet. Errors are one line.
func ParseImage(ref string) (ImageRef, error) {
	bad := func(err error) (ImageRef, error) {
		return ImageRef{}, fmt.Errorf("invalid image reference %q: %w", ref, err)
	}
	if ref == "" {
		return bad(errors.New("empty"))
	}
	nameTag, digest, hasDigest := strings.Cut(ref, "@")
	tag, err := name.NewTag(nameTag, name.WithDefaultTag(""))
	if err != nil {
		return bad(err)
	}
	r := ImageRef{Name: strings.TrimSuffix(nameTag, ":"+tag.TagStr()), Tag: tag.TagStr()}
	// name accepts empty path components ("/x", "x//y"); the kubelet does not.
	if strings.HasPrefix(r.Name, "/") || strings.HasSuffix(r.Name, "/") || strings.Contains(r.Name, "//") {
		return bad(errors.New("empty path component"))
	}
	if hasDigest {
		if _, err := name.NewDigest(ref); err != nil {
			return bad(err)
		}
		r.Digest = digest
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

// ShortenerRepository is where the release publishes the shortener image, tagged with the
// plugin's version (hack/image.sh, .github/workflows/release.yml).
const ShortenerRepository = "ghcr.io/kubectl-initwait/shortener"

// DefaultImageFor is the shortener image a plugin build uses unless told otherwise: a
// release's own tag (the image published with it), else — a development build — the tag
// the manifests name, DefaultImage, which `make images` builds from the checkout into the
// local cluster's registry.
func DefaultImageFor(info buildinfo.Info) string {
	if info.Release() {
		return ShortenerRepository + ":" + info.Version
	}
	return DefaultImage
}
