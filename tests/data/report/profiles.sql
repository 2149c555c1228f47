-- profiles.sql — fills score_runs and profiles of an imported store the way `encore score` would,
-- with simple stand-in rules in SQL, so the report (tests/e2e/test_report.sh) has realistic rows:
-- RFM quintiles and the 11-segment grid, the Chinese 8 classes against the means, lifecycle
-- stages and classes, P(alive), expected purchases, CLV, churn risk and top categories from the
-- orders before the as-of date. The caller creates temp table asof(t) first. Test data only.
DELETE FROM profiles;
DELETE FROM score_runs;
INSERT INTO score_runs(id, as_of, started_at, seconds, customers, models)
  SELECT 7, t, t + 3600, 1.25, (SELECT COUNT(*) FROM customers WHERE merged_into IS NULL),
         'rfm,lifecycle,bgnbd,gammagamma,churn (test rules)' FROM asof;

CREATE TEMP TABLE occ AS
  SELECT customer_id AS c, COUNT(DISTINCT ts / 86400) AS freq, SUM(sales) AS mon,
         MIN(ts) AS first, MAX(ts) AS last
  FROM orders, asof WHERE status = 'paid' AND sales > 0 AND ts < asof.t AND customer_id IS NOT NULL
  GROUP BY customer_id;

CREATE TEMP TABLE ret AS
  SELECT customer_id AS c, -SUM(total) AS amount FROM orders, asof
  WHERE status = 'returned' AND ts < asof.t AND customer_id IS NOT NULL GROUP BY customer_id;

CREATE TEMP TABLE base AS
  SELECT cu.id AS c, o.freq, o.mon,
         (asof.t - o.last) / 86400.0 AS rec, (asof.t - o.first) / 86400.0 AS ten
  FROM customers cu CROSS JOIN asof LEFT JOIN occ o ON o.c = cu.id WHERE cu.merged_into IS NULL;

CREATE TEMP TABLE scored AS
  SELECT c, freq, mon, rec, ten,
         6 - NTILE(5) OVER (ORDER BY rec) AS r,
         NTILE(5) OVER (ORDER BY freq, c) AS f,
         NTILE(5) OVER (ORDER BY mon, c) AS m
  FROM base WHERE freq IS NOT NULL;

CREATE TEMP TABLE means AS SELECT AVG(rec) AS mr, AVG(freq) AS mf, AVG(mon) AS mm FROM scored;

CREATE TEMP TABLE alive AS
  SELECT c, MAX(0.02, MIN(0.99, exp(-rec / (2.5 * (ten / freq + 45))))) AS pa,
         freq / (ten + 30.0) AS rate FROM scored;

INSERT INTO profiles(customer_id, run_id, as_of, recency_days, frequency, monetary, returns_amount, aov,
                     tenure_days, r, f, m, rfm_segment, rfm_segment_cn, lifecycle, lifecycle_class,
                     p_alive, expected_purchases_30d, expected_purchases_90d,
                     expected_purchases_365d, expected_spend, clv, churn_risk, top_categories)
SELECT s.c, 7, asof.t, s.rec, s.freq, s.mon, COALESCE((SELECT amount FROM ret WHERE ret.c = s.c), 0),
  s.mon / s.freq, s.ten, s.r, s.f, s.m,
  CASE
    WHEN (s.f + s.m) / 2 >= 4 THEN CASE WHEN s.r >= 4 THEN 'Champions' WHEN s.r = 3 THEN 'Loyal'
                                         WHEN s.r = 2 THEN 'At Risk' ELSE 'Can''t Lose Them' END
    WHEN (s.f + s.m) / 2 = 3 THEN CASE WHEN s.r >= 4 THEN 'Loyal' WHEN s.r = 3 THEN 'Need Attention'
                                       ELSE 'At Risk' END
    WHEN (s.f + s.m) / 2 = 2 THEN CASE WHEN s.r >= 4 THEN 'Potential Loyalist'
                                       WHEN s.r = 3 THEN 'About To Sleep' ELSE 'Hibernating' END
    ELSE CASE WHEN s.r = 5 THEN 'New' WHEN s.r = 4 THEN 'Promising' WHEN s.r = 3 THEN 'About To Sleep'
              WHEN s.r = 2 THEN 'Hibernating' ELSE 'Lost' END
  END,
  CASE (4 * (s.mon <= mm) + 2 * (s.rec >= mr) + (s.freq <= mf))
    WHEN 0 THEN '重要价值客户' WHEN 1 THEN '重要发展客户' WHEN 2 THEN '重要保持客户'
    WHEN 3 THEN '重要挽留客户' WHEN 4 THEN '一般价值客户' WHEN 5 THEN '一般发展客户'
    WHEN 6 THEN '一般保持客户' ELSE '一般挽留客户' END,
  CASE WHEN s.rec >= 360 THEN 'churned' WHEN s.rec >= 180 THEN 'dormant' WHEN s.ten <= 90 THEN 'new'
       WHEN s.freq = 1 THEN 'declining' WHEN s.ten < 365 OR s.freq < 4 THEN 'growing' ELSE 'mature' END,
  CASE WHEN s.rec < 90 AND s.freq >= 2 THEN 'repeat' WHEN s.rec < 90 THEN 'one_time'
       WHEN s.rec >= 365 THEN 'lost' ELSE 'dormant' END,
  a.pa, a.pa * a.rate * 30, a.pa * a.rate * 90 * 0.97, a.pa * a.rate * 365 * 0.9,
  CAST(a.pa * a.rate * 365 * 0.9 * s.mon / s.freq AS INTEGER),
  CAST(a.pa * a.rate * 365 * 2.2 * s.mon / s.freq AS INTEGER),
  MIN(0.99, MAX(0.01, 1 - a.pa * (1 - exp(-a.rate * 90)) * 1.3)),
  (SELECT json_group_array(cat) FROM (
     SELECT p.category AS cat FROM orders o JOIN order_lines l ON l.order_id = o.id
       JOIN products p ON p.id = l.product_id
     WHERE o.customer_id = s.c AND o.status = 'paid' AND o.ts < asof.t AND l.kind = 'sale'
     GROUP BY p.category ORDER BY SUM(l.amount) DESC, p.category LIMIT 3))
FROM scored s CROSS JOIN asof CROSS JOIN means JOIN alive a ON a.c = s.c;

-- customers who never bought: a profile without scores
INSERT INTO profiles(customer_id, run_id, as_of, frequency, monetary, lifecycle, lifecycle_class,
                     clv, top_categories)
  SELECT b.c, 7, asof.t, 0, 0, 'prospect', 'prospect', 0, '[]' FROM base b CROSS JOIN asof
  WHERE b.freq IS NULL;
