/** The largest cutoff k an evaluation computes metrics for (nDCG@k, recall@k, MRR@k). */
export const maxEvaluationK = 200;
