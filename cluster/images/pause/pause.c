/*
 * The kubelet's sandbox ("pause") image for the local cluster: it holds a pod's namespaces open and
 * does nothing else. No registry can be reached here, so this stands in for the upstream pause image.
 * Built static (gcc -static) so the image needs no libc. As PID 1 it must also reap the zombies of a
 * shared process namespace, and leave on SIGTERM/SIGINT (PID 1 gets no default signal handling).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) {
  (void)sig;
  _exit(0);
}

static void reap(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "-v") == 0) {
    puts("pause (flink-profiling.local stand-in) 1");
    return 0;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = stop;
  if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) return 1;
  sa.sa_handler = reap;
  sa.sa_flags = SA_NOCLDSTOP;
  if (sigaction(SIGCHLD, &sa, NULL) < 0) return 2;
  for (;;) pause();
}
