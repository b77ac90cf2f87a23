/* pause.c — the pod sandbox's process (registry.k8s.io/pause:3.10.1 for the local
 * cluster): holds the pod's namespaces open, reaps zombies as PID 1, exits on INT/TERM. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void sigdown(int sig) {
	(void)sig;
	_exit(0);
}

static void sigreap(int sig) {
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0) {
	}
}

int main(int argc, char **argv) {
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		puts("pause.c (kubectl-initwait)");
		return 0;
	}
	if (getpid() != 1)
		fprintf(stderr, "Warning: pause should be the first process\n");
	struct sigaction down = {.sa_handler = sigdown}, reap = {.sa_handler = sigreap, .sa_flags = SA_NOCLDSTOP};
	sigaction(SIGINT, &down, NULL);
	sigaction(SIGTERM, &down, NULL);
	sigaction(SIGCHLD, &reap, NULL);
	for (;;)
		pause();
}
