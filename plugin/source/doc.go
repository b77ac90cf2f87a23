// Package source holds the client-go side of the timeline: the pod Table
// watch (kubectl's STATUS column as the API server prints it), one log
// follower per container instance, and the event watches of the pods and
// their owners. What a target is, and how it is resolved, is plugin/target's.
package source
