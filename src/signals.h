/*
 * signals.h: catching SIGINT and SIGTERM so that they interrupt a write
 * blocked on a reader that does not read.
 */
#ifndef SIGNALS_H
#define SIGNALS_H

/*
 * Catch SIGINT and SIGTERM, without SA_RESTART. Returns a descriptor that
 * becomes readable when one arrives (for the event loop; read it empty
 * with signals_drain), or -1 with errno set.
 */
int signals_catch(void);
/* The last of them that arrived, or 0. */
int signals_caught(void);
void signals_drain(int);

#endif /* SIGNALS_H */
