// Command imagebuild makes a container image from layer tarballs and a few config settings,
// without a docker engine: one image, or with several -platform an OCI index of one image
// per platform. It writes a docker-archive tarball (-out, what `ctr images import` reads),
// an OCI image layout (-oci) and/or pushes to a registry (-push). The local cluster
// (test/cluster/images.sh), `make image` (hack/image.sh) and the release workflow all
// publish through it. Output is reproducible: the same layer files give the same digest.
//
//	imagebuild -tag docker.io/library/busybox:1.37 -layer root.tar -cmd '["sh"]' \
//	  -push 127.0.0.1:5000/library/busybox:1.37
//	imagebuild -tag ghcr.io/kubectl-initwait/shortener:v0.2.0 \
//	  -platform linux/amd64 -platform linux/arm64 -layer base.tar \
//	  -layer linux/amd64=amd64.tar -layer linux/arm64=arm64.tar \
//	  -entrypoint '["/shortener"]' -user 65532:65532 -oci dist/image
//
// Each output prints one line: "wrote PATH DIGEST", "pushed REF DIGEST", or
// "present REF DIGEST" when the registry already had that digest under REF.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts, err := parseArgs(os.Args[1:])
	if err == nil {
		err = opts.run(ctx, os.Stdout)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}
