/* test_optim.c — the ML minimiser (src/intel/optim.c) on problems with known answers:
 * Rosenbrock, a known quadratic, a kink that defeats BFGS (simplex fallback), two minima
 * (multi-start), a domain where the objective is NaN, and argument errors. The models'
 * analytic gradients are checked against central differences in test_bgnbd.c,
 * test_paretonbd.c and test_gammagamma.c. */
#include "harness.h"
#include "intel/optim.h"

static int n_calls;

static double rosenbrock(const double *x, double *g, void *ctx)
{
    (void)ctx;
    n_calls++;
    double a = 1 - x[0], b = x[1] - x[0] * x[0];
    if (g) {
        g[0] = -2 * a - 400 * x[0] * b;
        g[1] = 200 * b;
    }
    return a * a + 100 * b * b;
}

static void rosenbrock_bfgs(void)
{
    double x[2] = {-1.2, 1};
    enc_optim_report r;
    enc_err e = {0};
    enc_optim_opts o = {.gtol = 1e-9, .no_fallback = 1};
    CHECK_INT(enc_optim_minimize(2, x, rosenbrock, NULL, &o, &r, &e), ENC_OK);
    CHECK_INT(r.status, ENC_OPTIM_CONVERGED);
    CHECK_STR(r.method, "bfgs2");
    CHECK_NEAR(x[0], 1, 1e-6);
    CHECK_NEAR(x[1], 1, 1e-6);
    CHECK(r.fmin < 1e-12);
    CHECK(r.grad_norm <= 1e-9);
    CHECK(r.iterations > 5 && r.iterations < 200);
    printf("# rosenbrock from (-1.2, 1): %d iterations, %d evaluations, |g| = %.2e\n", r.iterations,
           r.n_eval, r.grad_norm);
}

/* f(x) = 1/2 (x-c)' A (x-c) + 7 with A symmetric positive definite */
static const double QA[3][3] = {{4, 1, 0.5}, {1, 3, -0.2}, {0.5, -0.2, 2}};
static const double QC[3] = {0.3, -2, 5};

static double quadratic(const double *x, double *g, void *ctx)
{
    (void)ctx;
    double d[3], f = 7;
    for (int i = 0; i < 3; i++) d[i] = x[i] - QC[i];
    for (int i = 0; i < 3; i++) {
        double ad = 0;
        for (int j = 0; j < 3; j++) ad += QA[i][j] * d[j];
        f += 0.5 * d[i] * ad;
        if (g) g[i] = ad;
    }
    return f;
}

static void quadratic_known(void)
{
    double x[3] = {10, 10, -10};
    enc_optim_report r;
    enc_err e = {0};
    CHECK_INT(enc_optim_minimize(3, x, quadratic, NULL, NULL, &r, &e), ENC_OK);
    CHECK_INT(r.status, ENC_OPTIM_CONVERGED);
    for (int i = 0; i < 3; i++) CHECK_NEAR(x[i], QC[i], 1e-7);
    CHECK_NEAR(r.fmin, 7, 1e-12);
    CHECK(r.iterations <= 20); /* BFGS on a 3-d quadratic: a handful of exact-ish line searches */
}

/* |x| + |y| + 0.1 (x + y)^2: minimum 0 at the kink (0, 0), where BFGS stalls */
static double kink(const double *x, double *g, void *ctx)
{
    (void)ctx;
    double s = x[0] + x[1];
    if (g) {
        g[0] = (x[0] > 0 ? 1 : x[0] < 0 ? -1 : 0) + 0.2 * s;
        g[1] = (x[1] > 0 ? 1 : x[1] < 0 ? -1 : 0) + 0.2 * s;
    }
    return fabs(x[0]) + fabs(x[1]) + 0.1 * s * s;
}

static void kink_needs_simplex(void)
{
    double x[2] = {1.3, -0.7};
    enc_optim_report r;
    enc_err e = {0};
    CHECK_INT(enc_optim_minimize(2, x, kink, NULL, NULL, &r, &e), ENC_OK);
    CHECK_STR(r.method, "bfgs2+nmsimplex2");
    CHECK(fabs(x[0]) < 1e-6 && fabs(x[1]) < 1e-6);
    CHECK(r.fmin < 1e-6);
    CHECK(r.status != ENC_OPTIM_CONVERGED); /* the gradient is not 0 at a kink: reported honestly */
}

/* (x^2 - 1)^2 + 0.3 x: a local minimum near +1, the global one near -1 */
static double two_wells(const double *x, double *g, void *ctx)
{
    (void)ctx;
    double u = x[0] * x[0] - 1;
    if (g) g[0] = 4 * x[0] * u + 0.3;
    return u * u + 0.3 * x[0];
}

static void multi_start(void)
{
    double x[1] = {1.5};
    enc_optim_report r;
    enc_err e = {0};
    CHECK_INT(enc_optim_minimize(1, x, two_wells, NULL, NULL, &r, &e), ENC_OK);
    CHECK(x[0] > 0.5); /* one start: the nearby, local minimum */
    double starts[2] = {2.0, -1.7};
    enc_optim_opts o = {.n_starts = 2, .starts = starts};
    x[0] = 1.5;
    CHECK_INT(enc_optim_minimize(1, x, two_wells, NULL, &o, &r, &e), ENC_OK);
    CHECK(x[0] < -0.5);
    CHECK_INT(r.start, 2);
    CHECK_INT(r.status, ENC_OPTIM_CONVERGED);
    CHECK(fabs(4 * x[0] * (x[0] * x[0] - 1) + 0.3) < 1e-6);
}

/* x - ln x: NaN for x <= 0, minimum at x = 1 — the line search must back off the NaN region */
static double log_barrier(const double *x, double *g, void *ctx)
{
    (void)ctx;
    if (!(x[0] > 0)) return NAN;
    if (g) g[0] = 1 - 1 / x[0];
    return x[0] - log(x[0]);
}

static void nan_domain(void)
{
    double x[1] = {8};
    enc_optim_report r;
    enc_err e = {0};
    enc_optim_opts o = {.step = 5};
    CHECK_INT(enc_optim_minimize(1, x, log_barrier, NULL, &o, &r, &e), ENC_OK);
    CHECK_NEAR(x[0], 1, 1e-6);
    CHECK_INT(r.status, ENC_OPTIM_CONVERGED);
    CHECK(isfinite(r.fmin));
}

static double always_nan(const double *x, double *g, void *ctx)
{
    (void)x, (void)g, (void)ctx;
    return NAN;
}

static void errors(void)
{
    double x[2] = {0, 0};
    enc_optim_report r;
    enc_err e = {0};
    CHECK_INT(enc_optim_minimize(2, x, always_nan, NULL, NULL, &r, &e), ENC_EFAIL);
    CHECK(strstr(e.msg, "not finite") != NULL);
    CHECK_INT(r.status, ENC_OPTIM_FAILED);
    CHECK_INT(enc_optim_minimize(0, x, rosenbrock, NULL, NULL, &r, &e), ENC_EUSAGE);
    CHECK_INT(enc_optim_minimize(ENC_OPTIM_MAXN + 1, x, rosenbrock, NULL, NULL, &r, &e),
              ENC_EUSAGE);
    /* an iteration budget too small is reported as such, with the point reached */
    double y[2] = {-1.2, 1};
    enc_optim_opts o = {.max_iter = 3, .no_fallback = 1};
    CHECK_INT(enc_optim_minimize(2, y, rosenbrock, NULL, &o, &r, &e), ENC_OK);
    CHECK_INT(r.status, ENC_OPTIM_MAXITER);
    CHECK(r.iterations == 3);
    CHECK_STR(enc_optim_status_name(ENC_OPTIM_STALLED), "stalled");
}

/* Damped Newton (opts.newton): Rosenbrock from the classic start, where the Hessian is indefinite
 * on the way (damping must make it a descent direction); a negative-curvature start on the two
 * wells; the NaN domain (the Hessian's difference step and the line search must back off); and the
 * kink, where Newton stalls and the BFGS + simplex fallback finishes. */
static void newton(void)
{
    enc_optim_report r;
    enc_err e = {0};
    enc_optim_opts o = {.gtol = 1e-9, .newton = 1};
    double x[2] = {-1.2, 1};
    n_calls = 0;
    CHECK_INT(enc_optim_minimize(2, x, rosenbrock, NULL, &o, &r, &e), ENC_OK);
    CHECK_INT(r.status, ENC_OPTIM_CONVERGED);
    CHECK_STR(r.method, "newton");
    CHECK_NEAR(x[0], 1, 1e-7);
    CHECK_NEAR(x[1], 1, 1e-7);
    CHECK(r.iterations > 3 && r.iterations < 60);
    CHECK_INT(r.n_eval, n_calls);
    printf("# newton, rosenbrock from (-1.2, 1): %d iterations, %d evaluations\n", r.iterations,
           r.n_eval);

    double w[1] = {0.2}; /* f'' < 0 here: a plain Newton step would climb to the local maximum */
    o.gtol = 1e-10;
    CHECK_INT(enc_optim_minimize(1, w, two_wells, NULL, &o, &r, &e), ENC_OK);
    CHECK_INT(r.status, ENC_OPTIM_CONVERGED);
    CHECK(fabs(4 * w[0] * (w[0] * w[0] - 1) + 0.3) < 1e-9);
    CHECK(8 * w[0] * w[0] + 4 * (w[0] * w[0] - 1) > 0); /* a minimum, not the maximum near 0 */

    double b[1] = {8};
    enc_optim_opts ob = {.newton = 1, .gtol = 1e-10};
    CHECK_INT(enc_optim_minimize(1, b, log_barrier, NULL, &ob, &r, &e), ENC_OK);
    CHECK_NEAR(b[0], 1, 1e-8);
    CHECK_STR(r.method, "newton");

    double q[3] = {10, 10, -10};
    CHECK_INT(enc_optim_minimize(3, q, quadratic, NULL, &ob, &r, &e), ENC_OK);
    for (int i = 0; i < 3; i++) CHECK_NEAR(q[i], QC[i], 1e-8);
    CHECK(r.iterations <= 10); /* 21 away, steps capped at 4 long: six steps, then exact */

    double k[2] = {1.3, -0.7};
    CHECK_INT(enc_optim_minimize(2, k, kink, NULL, &ob, &r, &e), ENC_OK);
    CHECK(strncmp(r.method, "newton+bfgs2", 12) == 0);
    CHECK(fabs(k[0]) < 1e-6 && fabs(k[1]) < 1e-6);
}

int main(void)
{
    RUN(rosenbrock_bfgs);
    RUN(quadratic_known);
    RUN(kink_needs_simplex);
    RUN(multi_start);
    RUN(nan_domain);
    RUN(errors);
    RUN(newton);
    return TEST_SUMMARY();
}
