#ifndef L2W_TEST_HARNESS_H
#define L2W_TEST_HARNESS_H

/* A tiny test harness: CHECK records a failure with file:line and goes on;
 * the test's exit code is non-zero if any check failed or any BROKEN line was
 * logged. Random tests take their seed from L2W_TEST_SEED or the clock and
 * print it, so a failure can be replayed. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

extern int l2w_test_failures;
extern int l2w_test_checks;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        l2w_test_checks++;                                                          \
        if (!(cond)) {                                                              \
            l2w_test_failures++;                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                           \
    } while (0)

#define CHECK_MSG(cond, ...)                                                        \
    do {                                                                            \
        l2w_test_checks++;                                                          \
        if (!(cond)) {                                                              \
            l2w_test_failures++;                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                           \
            fputc('\n', stderr);                                                    \
        }                                                                           \
    } while (0)

/* Run one named test function. */
#define RUN(fn)                                                                     \
    do {                                                                            \
        int before_ = l2w_test_failures;                                            \
        fn();                                                                       \
        fprintf(stderr, "%s %s\n", l2w_test_failures == before_ ? "ok  " : "FAIL", #fn); \
    } while (0)

/* Seeded xorshift PRNG; l2w_test_seed() reads L2W_TEST_SEED or picks and prints one. */
uint64_t l2w_test_seed(void);
uint64_t l2w_test_rand(void);
/* Reads a whole file (e.g. a shared vector) into a malloc'd NUL-terminated buffer. */
char *l2w_test_read_file(const char *path);
/* Path of a file in ../shared/vectors (from L2W_VECTORS_DIR); static buffer. */
const char *l2w_test_vector_path(const char *name);
/* Prints the summary line and returns the process exit code. */
int l2w_test_finish(void);

#endif
