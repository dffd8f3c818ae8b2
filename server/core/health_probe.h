/* health_probe: the `cloudless health` subcommand (see health_probe.c). */
#ifndef CLOUDLESS_SERVER_HEALTH_PROBE_H
#define CLOUDLESS_SERVER_HEALTH_PROBE_H

/* argv[0] is "health"; the rest are the server's options. Returns the exit
 * status: 0 when the server serves and its ready.d hooks have run. */
int health_probe_main(int argc, char **argv);

#endif
