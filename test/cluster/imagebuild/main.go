// Command imagebuild writes a container image as a docker-archive tarball, the format
// `ctr images import` reads, from layer tarballs and a few config settings. It is how the
// local cluster gets its images without a registry or a docker engine
// (test/cluster/images.sh runs it).
//
//	imagebuild -tag docker.io/library/busybox:1.36 -out busybox.tar -layer root.tar \
//	  -cmd '["sh"]' -env PATH=/bin -user 0:0
package main

import (
	"fmt"
	"os"
)

func main() {
	opts, err := parseArgs(os.Args[1:])
	if err == nil {
		err = opts.build()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}
