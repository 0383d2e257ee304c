/* gpucheck: the table of a scripts/gpu-check run (`clusterbench gpu-table`).
 * Each GPU path the script ran (cb-gpu, cb-allreduce and cb-p2p over NCCL,
 * cb-ddp's GPU engine, the torch DDP probe) has a status — ok, failed (with
 * its exit status and error), skipped or absent (with the reason) — and, from
 * the results CSV it wrote, its headline figures: each against the spec table
 * (spec value, efficiency) and, where one exists, against the vendor
 * library's own number on the same GPU (our copy kernel against cudaMemcpy,
 * the FMA peak against cuBLAS's SGEMM, a one-rank NCCL all-reduce against
 * cudaMemcpy). Pure: tables in, figures and text out. */
#ifndef CB_GPUCHECK_H
#define CB_GPUCHECK_H

#include <stddef.h>
#include <stdio.h>

#include "cb_results.h"

#define CB_GPUCHECK_MAX_FIGS 64

typedef enum cb_gpucheck_kind {
    CB_GPUCHECK_GPU,       /* cb-gpu */
    CB_GPUCHECK_ALLREDUCE, /* cb-allreduce --transport nccl */
    CB_GPUCHECK_P2P,       /* cb-p2p --transport nccl */
    CB_GPUCHECK_DDP,       /* cb-ddp --transport nccl (the GPU engine) */
    CB_GPUCHECK_TORCH,     /* the torch DDP probe, backend nccl */
    CB_GPUCHECK_NKINDS
} cb_gpucheck_kind_t;

/* "gpu", "allreduce", "p2p", "ddp", "torch" <-> kind; -1 unknown. */
const char *cb_gpucheck_kind_name(cb_gpucheck_kind_t k);
int cb_gpucheck_kind_parse(const char *s);

/* One headline figure of a path. NaN where a number does not apply. */
typedef struct cb_gpucheck_fig {
    char what[64];      /* "gpu0 copy kernel 512M", "algbw float 256M" */
    double value;
    char unit[12];
    int failed;         /* the measurement itself failed: note says why */
    double spec_value;  /* NaN: no spec figure */
    double efficiency;  /* value / spec_value */
    char ref[40];       /* "cudaMemcpy D2D", "cuBLAS SGEMM"; "" none */
    double ref_value;
    double ref_ratio;   /* value (or what the note says) / ref_value */
    char note[160];
} cb_gpucheck_fig_t;

typedef struct cb_gpucheck_path {
    cb_gpucheck_kind_t kind;
    char label[96];     /* "cb-allreduce --transport nccl, 1 rank" */
    char status[16];    /* ok, failed, skipped, absent */
    int exit_code;      /* of the program (-1: not run) */
    char detail[256];   /* the error (failed) or the reason (skipped, absent) */
    size_t nfigs;
    cb_gpucheck_fig_t figs[CB_GPUCHECK_MAX_FIGS];
} cb_gpucheck_path_t;

/* Fill p's figures from the rows a path wrote (t may hold other rows: only
 * the kind's benchmark is read). memcpy_gbps: cudaMemcpy D2D of the first GPU
 * (from the cb-gpu path; NaN unknown), the reference of a one-rank NCCL
 * all-reduce, which is a device-to-device copy: 2 x algbw moved. Returns the
 * number of figures. */
size_t cb_gpucheck_figures(cb_gpucheck_path_t *p, const cb_table_t *t, double memcpy_gbps);
/* cudaMemcpy D2D GB/s of the first GPU in cb-gpu rows; NaN when none. */
double cb_gpucheck_memcpy_gbps(const cb_table_t *t);

/* The table: one block per path (status, then its figures), then the verdict
 * line. Returns the number of failed paths. */
int cb_gpucheck_print(FILE *f, const cb_gpucheck_path_t *paths, size_t n);
/* The same as CSV: path,kind,status,exit_code,detail,figure,value,unit,
 * spec_value,efficiency,reference,reference_value,reference_ratio,note (one
 * row per figure; a path without figures gets one row). 0, or -1 on a
 * write error. */
int cb_gpucheck_write_csv(FILE *f, const cb_gpucheck_path_t *paths, size_t n);

#endif
