/* progress.h: the progress line on stderr while a run lasts. */
#ifndef PROGRESS_H
#define PROGRESS_H

struct awget;
struct progress;

/* Draw the line now and again every AWGET_PROGRESS_MS on ctx's base. */
struct progress *progress_new(struct awget *);
/* Stop, and erase the line. */
void progress_free(struct progress *);

#endif /* PROGRESS_H */
