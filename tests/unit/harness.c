#include "tests/unit/harness.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

int l2w_test_failures;
int l2w_test_checks;
static uint64_t rng_state;

uint64_t l2w_test_seed(void)
{
    const char *env = getenv("L2W_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) ^ (uint64_t)clock();
    if (seed == 0)
        seed = 0x9e3779b97f4a7c15ULL;
    rng_state = seed;
    fprintf(stderr, "seed: L2W_TEST_SEED=%llu\n", (unsigned long long)seed);
    return seed;
}

uint64_t l2w_test_rand(void)
{
    if (rng_state == 0)
        (void)l2w_test_seed();
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x;
}

char *l2w_test_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

const char *l2w_test_vector_path(const char *name)
{
    static char path[4096];
    const char *dir = getenv("L2W_VECTORS_DIR");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "../shared/vectors", name);
    return path;
}

int l2w_test_finish(void)
{
    unsigned long broken = l2w_log_broken_count();
    if (broken)
        fprintf(stderr, "%lu BROKEN log line(s) were logged\n", broken);
    fprintf(stderr, "%d checks, %d failed\n", l2w_test_checks, l2w_test_failures);
    return (l2w_test_failures == 0 && broken == 0) ? 0 : 1;
}
