// i18n.js — the console's two languages (zh-CN, en) and the shop's formats: numbers per the
// chosen locale, money in the shop's currency, dates and times in the shop's time zone (from
// the contact policy's default_timezone). The language defaults from the browser and is kept
// in localStorage once the user picks one.

const en = {
  app: 'Encore', tagline: 'Retention marketing', language: 'Language', logout: 'Log out',
  skip: 'Skip to content', loading: 'Loading…', retry: 'Retry', cancel: 'Cancel', confirm: 'Confirm',
  save: 'Save', close: 'Close', search: 'Search', none: 'None', yes: 'yes', no: 'no',
  more: 'Load more', signed_in_as: 'Signed in as {email} ({role})', role: 'Role', back: 'Back',
  'nav.overview': 'Overview', 'nav.customers': 'Customers', 'nav.segments': 'Segments',
  'nav.campaigns': 'Campaigns', 'nav.deliverability': 'Deliverability', 'nav.settings': 'Settings',
  'login.title': 'Sign in to Encore', 'login.email': 'Email', 'login.password': 'Password',
  'login.submit': 'Sign in', 'login.failed': 'Sign-in failed', 'login.hint':
    'Owners create users with: encore user add EMAIL --role ROLE',
  'err.network': 'The server could not be reached. Is encore serve running?',
  'err.field': 'Field {field}', 'err.at': 'line {line}, column {column}',
  'err.forbidden': 'Your role may not do this.',
  'err.session': 'Your session has ended; please sign in again.',
  'notfound': 'No such page.',
  unavailable: 'This server does not offer this page yet (its API routes are missing from /v1/openapi.json).',
  // overview
  'ov.title': 'Overview', 'ov.customers': 'Customers', 'ov.buyers': 'Customers who bought',
  'ov.revenue': 'Revenue', 'ov.orders': 'Orders', 'ov.aov': 'Average order value',
  'ov.active': 'Active customers', 'ov.new': 'New customers', 'ov.repurchase': 'Repurchase rate',
  'ov.vs_prev': 'vs previous {interval}', 'ov.over_time': 'Revenue, orders and active customers',
  'ov.repurchase_time': 'Repurchase rate over time', 'ov.rfm': 'RFM segments',
  'ov.lifecycle': 'Lifecycle stages', 'ov.migration_rfm': 'RFM moves since the previous scoring run',
  'ov.migration_lifecycle': 'Lifecycle moves since the previous scoring run',
  'ov.cohorts': 'Cohort retention (share of the cohort buying again)', 'ov.cohort': 'Cohort',
  'ov.size': 'Size', 'ov.period_k': '+{k}', 'ov.campaigns': 'Campaigns by incremental revenue',
  'ov.interval': 'Interval', 'ov.day': 'day', 'ov.week': 'week', 'ov.month': 'month',
  'ov.no_data': 'No orders yet: import orders (encore import orders FILE) or run encore demo.',
  'ov.no_scores': 'No scoring run yet: run scoring to see segments.', 'ov.run_scoring': 'Run scoring',
  'ov.no_migration': 'Moves need two scoring runs: score again after new orders arrive.',
  'ov.no_campaigns': 'No measured campaign yet: start one under Campaigns.',
  'ov.from': 'from', 'ov.to': 'to', 'ov.unscored': '(unscored)', 'ov.share': 'share',
  'ov.incremental': 'Incremental revenue', 'ov.segment': 'Segment', 'ov.as_of': 'as of {date}',
  // jobs
  'job.running': '{kind}: {pct}', 'job.done': '{kind} finished', 'job.failed': '{kind} failed: {error}',
  'job.score': 'Scoring', 'job.import': 'Import', 'job.export': 'Export',
  // customers
  'cu.title': 'Customers', 'cu.search': 'Search by id, email, phone or name',
  'cu.hint': 'Type an id, an email, a phone number or the start of a name.',
  'cu.empty': 'No customer matches “{q}”.', 'cu.id': 'Id', 'cu.name': 'Name', 'cu.email': 'Email',
  'cu.phone': 'Phone', 'cu.region': 'Region', 'cu.orders': 'Orders', 'cu.spent': 'Spent',
  'cu.masked': 'Personal data is masked for your role.', 'cu.identities': 'Identities',
  'cu.profile': 'Scores', 'cu.overdue_since': 'overdue since {date}', 'cu.reasons': 'Why', 'cu.clv': 'Predicted CLV', 'cu.timeline': 'Timeline',
  'cu.recs': 'Recommendations', 'cu.consents': 'Consents', 'cu.history': 'History',
  'cu.coupons': 'Coupons', 'cu.granted': 'granted', 'cu.revoked': 'revoked', 'cu.grant': 'Grant',
  'cu.revoke': 'Revoke', 'cu.t.order': 'Order', 'cu.t.event': 'Event', 'cu.t.feedback': 'Feedback',
  'cu.t.message': 'Message', 'cu.no_timeline': 'Nothing recorded for this customer yet.',
  'cu.no_profile': 'Not scored yet: run scoring.', 'cu.no_recs': 'No recommendation for this customer.',
  'cu.no_consents': 'No consent recorded: messages need a consent per channel.',
  'cu.channel': 'Channel', 'cu.purpose': 'Purpose', 'cu.state': 'State', 'cu.when': 'When',
  'cu.source': 'Source', 'cu.field': 'Field', 'cu.value': 'Value', 'cu.product': 'Product',
  'cu.reason': 'Reason', 'cu.score': 'Score', 'cu.last_order': 'Last order', 'cu.returns': '{n} returned',
  // segments
  'sg.title': 'Segments', 'sg.editor': 'Expression', 'sg.placeholder': 'e.g. lifecycle = "dormant" and clv > 200',
  'sg.count': '{count} of {total} customers', 'sg.in_ms': 'in {ms} ms', 'sg.sample': 'Sample',
  'sg.fields': 'Fields and functions', 'sg.filter': 'Filter fields', 'sg.name': 'Name',
  'sg.description': 'Description', 'sg.save': 'Save segment', 'sg.saved': 'Saved “{name}”.',
  'sg.list': 'Saved segments', 'sg.export': 'Export CSV', 'sg.edit': 'Open', 'sg.delete': 'Delete',
  'sg.none': 'No saved segment yet: write an expression above and save it.',
  'sg.type_to_count': 'Type an expression to count its customers as you type.',
  'sg.delete_q': 'Delete the segment “{name}”?', 'sg.download': 'Download {name}.csv', 'sg.rows': '{n} customers',
  // campaigns
  'cp.title': 'Campaigns', 'cp.new': 'New campaign', 'cp.name': 'Name', 'cp.state': 'State',
  'cp.trigger': 'Trigger', 'cp.members': 'Entries', 'cp.customers': 'Target audience (customers)', 'cp.later': 'Entering later (customers scheduled after the report\'s as-of time)', 'cp.holdout_customers': 'Holdout (customers)', 'cp.entries': 'Entries (a customer once per entry, holdout included)', 'cp.messaged': 'Messaged', 'cp.holdout': 'Holdout',
  'cp.conversions': 'Conversions', 'cp.incremental': 'Incremental revenue',
  'cp.none': 'No campaign yet: create one from a playbook.', 'cp.playbook': 'Playbook',
  'cp.pick': 'Choose a playbook', 'cp.audience': 'Audience expression', 'cp.channels': 'Channels',
  'cp.holdout_share': 'Holdout share (0–0.5)', 'cp.priority': 'Priority', 'cp.json': 'Campaign JSON',
  'cp.json_help': 'The form writes this JSON; you can edit it directly (docs/campaigns.md).',
  'cp.bad_json': 'The campaign JSON does not parse: {msg}', 'cp.plan': 'Preview plan', 'cp.create': 'Create',
  'cp.created': 'Campaign “{name}” saved.', 'cp.start': 'Start', 'cp.pause': 'Pause', 'cp.resume': 'Resume',
  'cp.stop': 'Stop', 'cp.confirm_start': 'Start “{name}”? Its due messages go into the outbox now.',
  'cp.confirm_pause': 'Pause “{name}”? No new messages are planned until you resume it.',
  'cp.confirm_resume': 'Resume “{name}”?',
  'cp.confirm_stop': 'Stop “{name}”? Its queued messages are cancelled; this cannot be undone.',
  'cp.plan_title': 'Plan preview', 'cp.audience_n': 'Audience', 'cp.eligible': 'Eligible',
  'cp.excluded': 'Excluded, by reason', 'cp.deferred': 'Deferred', 'cp.by_channel': 'Messages by channel',
  'cp.samples': 'Sample messages', 'cp.no_samples': 'No message would be sent now.',
  'cp.report': 'Report', 'cp.funnel': 'Funnel', 'cp.uplift': 'Uplift over the holdout',
  'cp.ci': '{level}% interval', 'cp.p': 'p = {p}', 'cp.significant': 'significant',
  'cp.not_significant': 'not significant', 'cp.revenue_time': 'Revenue over time', 'cp.ab': 'A/B test',
  'cp.revenue_time_note': 'Attributed revenue per assigned customer of each group, added up {interval} by {interval} since the first member. The holdout is dashed: the gap between a variant and the holdout is what the campaign added.',
  'cp.day': 'day', 'cp.week': 'week',
  'cp.no_ab': 'This campaign has no A/B test.', 'cp.messages': 'Messages', 'cp.variant': 'Group', 'cp.treated': 'All variants',
  'cp.conv_rate': 'Conversion rate', 'cp.rev_per': 'Revenue per customer', 'cp.roi': 'ROI',
  'cp.winner': 'Winner', 'cp.no_report': 'No report until the campaign has members.',
  'cp.definition': 'Definition',
  'f.audience': 'Audience', 'f.sent': 'Sent', 'f.delivered': 'Delivered', 'f.opened': 'Opened',
  'f.clicked': 'Clicked', 'f.converted': 'Converted',
  // deliverability
  'dl.title': 'Deliverability', 'dl.queue': 'Queue by state and channel', 'dl.failures': 'Recent failures',
  'dl.dead': 'Dead letters', 'dl.suppressions': 'Suppressions', 'dl.retry': 'Retry',
  'dl.empty_queue': 'The outbox is empty: start a campaign to queue messages.',
  'dl.no_failures': 'No failures.', 'dl.no_dead': 'No dead letters.', 'dl.no_supp': 'No suppressed address.',
  'dl.retried': 'Message {id} is back in the queue.', 'dl.address': 'Address', 'dl.attempts': 'Attempts', 'dl.error': 'Error', 'dl.supp_total': '{n} suppressed addresses; the latest:',
  // settings
  'st.title': 'Settings', 'st.policy': 'Contact policy', 'st.caps': 'Frequency caps',
  'st.quiet': 'Quiet hours', 'st.timezone': 'Shop time zone', 'st.channels': 'Channels',
  'st.measurement': 'Attribution windows and message costs', 'st.users': 'Users', 'st.keys': 'API keys',
  'st.audit': 'Audit log', 'st.add_user': 'Add user', 'st.disable': 'Disable', 'st.enable': 'Enable',
  'st.create_key': 'Create key', 'st.key_once': 'Copy this key now; it is not shown again:',
  'st.revoke': 'Revoke', 'st.policy_json': 'Policy (JSON)', 'st.saved': 'Saved.', 'st.max': 'At most',
  'st.window': 'Per', 'st.name': 'Name', 'st.expires': 'Expires', 'st.created': 'Created',
  'st.actor': 'Who', 'st.action': 'What', 'st.from': 'From', 'st.when': 'When', 'st.disabled': 'disabled',
  'st.no_audit': 'Nothing in the audit log yet.', 'st.target': 'On', 'st.status': 'Status',
  'st.edit_json': 'Edit as JSON', 'st.cost': 'Cost per message',
  'state.draft': 'draft', 'state.running': 'running', 'state.paused': 'paused', 'state.stopped': 'stopped', 'state.finished': 'finished',
  'state.queued': 'queued', 'state.sending': 'sending', 'state.sent': 'sent', 'state.failed': 'failed', 'state.dead': 'dead',
  'state.reconcile': 'to reconcile', 'state.cancelled': 'cancelled', 'state.suppressed': 'suppressed',
  'lc.prospect': 'prospect', 'lc.new': 'new', 'lc.growing': 'growing', 'lc.mature': 'mature', 'lc.declining': 'declining', 'lc.dormant': 'dormant', 'lc.churned': 'churned',
  'st.data': 'Data', 'st.data_help': 'Import a CSV file into a table (the same formats as encore import, docs/import.md), or score every customer again after new data.', 'st.table': 'Table', 'st.file': 'CSV file', 'st.upload': 'Import', 'st.window_label': 'Window',
  'st.confirm_revoke': 'Revoke the key “{name}”? Clients using it stop working.',
  'ov.rows_cols': 'Rows: the previous run; columns: the latest.', 'cp.revenue_groups': 'Revenue by group',
  'cu.registered': 'Registered', 'cu.tier': 'Tier',
  'rs.exited': 'Left the campaign', 'rs.ab_waiting': 'Waiting for the A/B decision', 'rs.no_consent': 'No consent',
  'rs.no_address': 'No address', 'rs.suppressed': 'Suppressed', 'rs.quiet_hours': 'Quiet hours',
  'rs.frequency_cap': 'Frequency cap', 'rs.budget': 'Budget',
  // channels (pages/channels.js)
  'ch.title': 'Settings → Channels', 'ch.manage': 'Delivery channels: email, SMS, push, WeChat, in-app',
  'ch.intro': 'How each channel sends: switched on or off, its sender, its rate and quiet hours. Saved where encore dispatch reads its configuration; passwords and secrets are never shown again.',
  'ch.not_configured': 'not set up', 'ch.enabled': 'on', 'ch.disabled': 'off', 'ch.state': 'State',
  'ch.kind': 'Sends through', 'ch.kind.smtp': 'SMTP server', 'ch.kind.webhook': 'Webhook (HTTP provider)',
  'ch.kind.file': 'File (JSON lines beside the store)', 'ch.kind.inbox': 'In-app inbox',
  'ch.sender': 'Sender', 'ch.rate': 'Rate limit', 'ch.no_limit': 'no limit', 'ch.per_second': '{n} per second',
  'ch.secret.password': 'Password', 'ch.secret.secret': 'Signing secret', 'ch.set': 'set', 'ch.not_set': 'not set',
  'ch.file_only': 'Also set in the file', 'ch.file': 'Configuration file: {file}',
  'ch.overridden': 'Set by the server', 'ch.overridden_by': 'overridden by {src}: changes here do not take effect while it is set',
  'ch.src.environment': 'environment', 'ch.src.command line': 'command line (--set)',
  'ch.addr.inapp': 'customer id', 'ch.test_inbox': 'Test message written to the inbox of customer {id} (marked as a test).',
  'ch.name.email': 'Email', 'ch.name.sms': 'SMS', 'ch.name.push': 'Push', 'ch.name.wechat': 'WeChat', 'ch.name.inapp': 'In-app',
  'ch.edit': 'Change', 'ch.set_up': 'Set up', 'ch.enabled_label': 'Channel on (off: its messages wait in the outbox)',
  'ch.rate_label': 'Messages per second (empty: no limit)', 'ch.from': 'From', 'ch.until': 'Until',
  'ch.timezone': 'Time zone (empty: UTC)', 'ch.keep_secret': 'leave empty to keep it',
  'ch.opt.url': 'Server URL', 'ch.opt.username': 'User name', 'ch.opt.reply_to': 'Reply-to',
  'ch.opt.unsubscribe_mailto': 'Unsubscribe address', 'ch.opt.tracking_url': 'Tracking URL (encore serve)',
  'ch.opt.starttls': 'Require STARTTLS', 'ch.opt.shape': 'Payload shape (generic, sms, push, wechat, fcm, apns)',
  'ch.opt.template_id': 'WeChat template', 'ch.opt.timeout': 'Timeout (s)', 'ch.opt.path': 'File name',
  'ch.addr.email': 'you@example.com', 'ch.addr.sms': '+86 138 0000 0000', 'ch.addr.push': 'device token', 'ch.addr.wechat': 'OpenID',
  'ch.test_to': 'Send a test to', 'ch.test': 'Send test', 'ch.test_sent': 'Test message sent (provider reference {ref}).',
  'ch.test_failed': 'The test message was not sent: {error}',
};

const zh = {
  app: 'Encore', tagline: '二次营销', language: '语言', logout: '退出登录', skip: '跳到正文',
  loading: '加载中…', retry: '重试', cancel: '取消', confirm: '确认', save: '保存', close: '关闭',
  search: '搜索', none: '无', yes: '是', no: '否', more: '加载更多',
  signed_in_as: '已登录：{email}（{role}）', role: '角色', back: '返回',
  'nav.overview': '概览', 'nav.customers': '客户', 'nav.segments': '人群', 'nav.campaigns': '营销活动',
  'nav.deliverability': '送达', 'nav.settings': '设置',
  'login.title': '登录 Encore', 'login.email': '邮箱', 'login.password': '密码', 'login.submit': '登录',
  'login.failed': '登录失败', 'login.hint': '管理员可用命令创建用户：encore user add 邮箱 --role 角色',
  'err.network': '无法连接服务器。encore serve 是否在运行？', 'err.field': '字段 {field}',
  'err.at': '第 {line} 行，第 {column} 列', 'err.forbidden': '您的角色无权执行此操作。',
  'err.session': '会话已结束，请重新登录。', notfound: '页面不存在。',
  unavailable: '此服务器尚未提供该页面（/v1/openapi.json 中缺少它的 API 路由）。',
  'ov.title': '概览', 'ov.customers': '客户数', 'ov.buyers': '有购买的客户', 'ov.revenue': '销售额',
  'ov.orders': '订单数', 'ov.aov': '客单价', 'ov.active': '活跃客户', 'ov.new': '新客户',
  'ov.repurchase': '复购率', 'ov.vs_prev': '较上一{interval}', 'ov.over_time': '销售额、订单与活跃客户',
  'ov.repurchase_time': '复购率趋势', 'ov.rfm': 'RFM 分层', 'ov.lifecycle': '生命周期阶段',
  'ov.migration_rfm': '上次评分以来的 RFM 迁移', 'ov.migration_lifecycle': '上次评分以来的生命周期迁移',
  'ov.cohorts': '同期群留存（再次购买的比例）', 'ov.cohort': '同期群', 'ov.size': '人数',
  'ov.period_k': '+{k}', 'ov.campaigns': '营销活动增量收入排名', 'ov.interval': '周期',
  'ov.day': '日', 'ov.week': '周', 'ov.month': '月',
  'ov.no_data': '还没有订单：请导入订单（encore import orders 文件）或运行 encore demo。',
  'ov.no_scores': '尚未评分：请运行评分以查看分层。', 'ov.run_scoring': '运行评分',
  'ov.no_migration': '迁移需要两次评分：新订单到达后请再次评分。',
  'ov.no_campaigns': '还没有可衡量的营销活动：请在“营销活动”中启动一个。',
  'ov.from': '从', 'ov.to': '到', 'ov.unscored': '（未评分）', 'ov.share': '占比',
  'ov.incremental': '增量收入', 'ov.segment': '分层', 'ov.as_of': '截至 {date}',
  'job.running': '{kind}：{pct}', 'job.done': '{kind}已完成', 'job.failed': '{kind}失败：{error}',
  'job.score': '评分', 'job.import': '导入', 'job.export': '导出',
  'cu.title': '客户', 'cu.search': '按编号、邮箱、手机号或姓名搜索',
  'cu.hint': '输入编号、邮箱、手机号或姓名开头。', 'cu.empty': '没有匹配“{q}”的客户。', 'cu.id': '编号',
  'cu.name': '姓名', 'cu.email': '邮箱', 'cu.phone': '手机', 'cu.region': '地区', 'cu.orders': '订单',
  'cu.spent': '消费', 'cu.masked': '按您的角色，个人信息已脱敏。', 'cu.identities': '身份标识',
  'cu.profile': '评分', 'cu.overdue_since': '自 {date} 起逾期未购', 'cu.reasons': '依据', 'cu.clv': '预测生命周期价值', 'cu.timeline': '时间线',
  'cu.recs': '推荐', 'cu.consents': '授权', 'cu.history': '历史', 'cu.coupons': '优惠券',
  'cu.granted': '已授权', 'cu.revoked': '已撤回', 'cu.grant': '授权', 'cu.revoke': '撤回',
  'cu.t.order': '订单', 'cu.t.event': '行为', 'cu.t.feedback': '反馈', 'cu.t.message': '消息',
  'cu.no_timeline': '该客户还没有任何记录。', 'cu.no_profile': '尚未评分：请运行评分。',
  'cu.no_recs': '该客户暂无推荐。', 'cu.no_consents': '没有授权记录：每个渠道发送消息都需要授权。',
  'cu.channel': '渠道', 'cu.purpose': '用途', 'cu.state': '状态', 'cu.when': '时间', 'cu.source': '来源',
  'cu.field': '字段', 'cu.value': '值', 'cu.product': '商品', 'cu.reason': '原因', 'cu.score': '分数', 'cu.last_order': '最近下单', 'cu.returns': '退货 {n} 笔',
  'sg.title': '人群', 'sg.editor': '表达式', 'sg.placeholder': '例如 lifecycle = "dormant" and clv > 200',
  'sg.count': '{total} 位客户中有 {count} 位', 'sg.in_ms': '用时 {ms} 毫秒', 'sg.sample': '样本',
  'sg.fields': '字段与函数', 'sg.filter': '筛选字段', 'sg.name': '名称', 'sg.description': '说明',
  'sg.save': '保存人群', 'sg.saved': '已保存“{name}”。', 'sg.list': '已保存的人群', 'sg.export': '导出 CSV',
  'sg.edit': '打开', 'sg.delete': '删除', 'sg.none': '还没有保存的人群：在上方写好表达式后保存。',
  'sg.type_to_count': '输入表达式，即时统计人数。', 'sg.delete_q': '删除人群“{name}”？',
  'sg.download': '下载 {name}.csv', 'sg.rows': '{n} 位客户',
  'cp.title': '营销活动', 'cp.new': '新建活动', 'cp.name': '名称', 'cp.state': '状态', 'cp.trigger': '触发',
  'cp.members': '入组次数', 'cp.customers': '目标人群（客户数）', 'cp.later': '稍后入组（排期在报告截至时间之后的客户）', 'cp.holdout_customers': '对照组（客户数）', 'cp.entries': '入组次数（每次入组计一次，含对照组）', 'cp.messaged': '已发消息', 'cp.holdout': '对照组', 'cp.conversions': '转化',
  'cp.incremental': '增量收入', 'cp.none': '还没有营销活动：从剧本创建一个。', 'cp.playbook': '剧本',
  'cp.pick': '选择剧本', 'cp.audience': '目标人群表达式', 'cp.channels': '渠道',
  'cp.holdout_share': '对照组比例（0–0.5）', 'cp.priority': '优先级', 'cp.json': '活动 JSON',
  'cp.json_help': '表单会写入此 JSON，也可直接编辑（见 docs/campaigns.md）。',
  'cp.bad_json': '活动 JSON 无法解析：{msg}', 'cp.plan': '预览计划', 'cp.create': '创建',
  'cp.created': '活动“{name}”已保存。', 'cp.start': '启动', 'cp.pause': '暂停', 'cp.resume': '恢复',
  'cp.stop': '停止', 'cp.confirm_start': '启动“{name}”？到期的消息会立即进入发件箱。',
  'cp.confirm_pause': '暂停“{name}”？恢复前不会计划新消息。', 'cp.confirm_resume': '恢复“{name}”？',
  'cp.confirm_stop': '停止“{name}”？排队中的消息将被取消，且无法撤销。',
  'cp.plan_title': '计划预览', 'cp.audience_n': '目标人群', 'cp.eligible': '可触达',
  'cp.excluded': '按原因排除', 'cp.deferred': '延后', 'cp.by_channel': '各渠道消息数',
  'cp.samples': '消息样例', 'cp.no_samples': '当前不会发送任何消息。', 'cp.report': '效果报告',
  'cp.funnel': '漏斗', 'cp.uplift': '相对对照组的提升', 'cp.ci': '{level}% 置信区间', 'cp.p': 'p = {p}',
  'cp.significant': '显著', 'cp.not_significant': '不显著', 'cp.revenue_time': '收入趋势',
  'cp.revenue_time_note': '各分组每位分配客户的累计归因收入，自首位成员加入起逐{interval}累加。对照组为虚线：变体与对照组之间的差距即活动带来的增量。',
  'cp.day': '日', 'cp.week': '周',
  'cp.ab': 'A/B 测试', 'cp.no_ab': '该活动没有 A/B 测试。', 'cp.messages': '消息', 'cp.variant': '分组', 'cp.treated': '全部变体',
  'cp.conv_rate': '转化率', 'cp.rev_per': '人均收入', 'cp.roi': '投资回报率', 'cp.winner': '胜出',
  'cp.no_report': '活动有成员后才有报告。', 'cp.definition': '定义',
  'f.audience': '目标人群', 'f.sent': '已发送', 'f.delivered': '已送达', 'f.opened': '已打开',
  'f.clicked': '已点击', 'f.converted': '已转化',
  'dl.title': '送达', 'dl.queue': '按状态和渠道的队列', 'dl.failures': '最近失败', 'dl.dead': '死信',
  'dl.suppressions': '屏蔽名单', 'dl.retry': '重试', 'dl.empty_queue': '发件箱为空：启动营销活动后消息会进入队列。',
  'dl.no_failures': '没有失败。', 'dl.no_dead': '没有死信。', 'dl.no_supp': '没有被屏蔽的地址。',
  'dl.retried': '消息 {id} 已重新排队。', 'dl.address': '地址', 'dl.attempts': '尝试次数', 'dl.error': '错误', 'dl.supp_total': '共 {n} 个被屏蔽地址；最近的：',
  'st.title': '设置', 'st.policy': '触达策略', 'st.caps': '频次上限', 'st.quiet': '免打扰时段',
  'st.timezone': '店铺时区', 'st.channels': '渠道', 'st.measurement': '归因窗口与消息成本',
  'st.users': '用户', 'st.keys': 'API 密钥', 'st.audit': '审计日志', 'st.add_user': '添加用户',
  'st.disable': '停用', 'st.enable': '启用', 'st.create_key': '创建密钥', 'st.key_once': '请立即复制此密钥，之后不再显示：',
  'st.revoke': '吊销', 'st.policy_json': '策略（JSON）', 'st.saved': '已保存。', 'st.max': '最多',
  'st.window': '每', 'st.name': '名称', 'st.expires': '到期', 'st.created': '创建时间', 'st.actor': '操作者',
  'st.action': '操作', 'st.from': '来源地址', 'st.when': '时间', 'st.disabled': '已停用',
  'st.no_audit': '审计日志暂无记录。', 'st.target': '对象', 'st.status': '状态码',
  'st.edit_json': '以 JSON 编辑', 'st.cost': '每条消息成本',
  'state.draft': '草稿', 'state.running': '运行中', 'state.paused': '已暂停', 'state.stopped': '已停止', 'state.finished': '已结束',
  'state.queued': '排队中', 'state.sending': '发送中', 'state.sent': '已发送', 'state.failed': '失败', 'state.dead': '死信',
  'state.reconcile': '待核对', 'state.cancelled': '已取消', 'state.suppressed': '已屏蔽',
  'rfm.Champions': '冠军客户', 'rfm.Loyal': '忠诚客户', 'rfm.Potential Loyalist': '潜在忠诚客户', 'rfm.New': '新客户',
  'rfm.Promising': '有潜力客户', 'rfm.Need Attention': '需要关注客户', 'rfm.About To Sleep': '即将沉睡客户', 'rfm.At Risk': '有流失风险客户',
  "rfm.Can't Lose Them": '不能失去的客户', 'rfm.Hibernating': '休眠客户', 'rfm.Lost': '已流失客户',
  'lc.prospect': '潜在客户', 'lc.new': '新客', 'lc.growing': '成长期', 'lc.mature': '成熟期', 'lc.declining': '衰退期', 'lc.dormant': '沉睡期', 'lc.churned': '流失',
  'st.data': '数据', 'st.data_help': '把 CSV 文件导入某张表（格式同 encore import，见 docs/import.md），或在新数据到达后重新为所有客户评分。', 'st.table': '表', 'st.file': 'CSV 文件', 'st.upload': '导入', 'st.window_label': '窗口',
  'st.confirm_revoke': '吊销密钥“{name}”？使用它的客户端将无法访问。',
  'ov.rows_cols': '行：上一次评分；列：最新一次评分。', 'cp.revenue_groups': '各分组收入',
  'cu.registered': '注册时间', 'cu.tier': '会员等级',
  'rs.exited': '已退出活动', 'rs.ab_waiting': '等待 A/B 决策', 'rs.no_consent': '未授权', 'rs.no_address': '无联系地址',
  'rs.suppressed': '已屏蔽', 'rs.quiet_hours': '免打扰时段', 'rs.frequency_cap': '频次上限', 'rs.budget': '预算',
  'ch.title': '设置 → 渠道', 'ch.manage': '发送渠道：邮件、短信、推送、微信、站内信',
  'ch.intro': '每个渠道如何发送：开启或关闭、发件人、速率和免打扰时段。保存在 encore dispatch 读取的配置中；密码和密钥保存后不再显示。',
  'ch.not_configured': '未设置', 'ch.enabled': '已开启', 'ch.disabled': '已关闭', 'ch.state': '状态',
  'ch.kind': '发送方式', 'ch.kind.smtp': 'SMTP 服务器', 'ch.kind.webhook': 'Webhook（HTTP 服务商）',
  'ch.kind.file': '文件（存储旁的 JSON 行）', 'ch.kind.inbox': '站内收件箱',
  'ch.sender': '发件人', 'ch.rate': '速率限制', 'ch.no_limit': '不限', 'ch.per_second': '每秒 {n} 条',
  'ch.secret.password': '密码', 'ch.secret.secret': '签名密钥', 'ch.set': '已设置', 'ch.not_set': '未设置',
  'ch.file_only': '仅在文件中设置', 'ch.file': '配置文件：{file}',
  'ch.overridden': '由服务器设置', 'ch.overridden_by': '已被{src}覆盖：设置期间此处的修改不会生效',
  'ch.src.environment': '环境变量', 'ch.src.command line': '命令行 (--set)',
  'ch.addr.inapp': '客户编号', 'ch.test_inbox': '测试消息已写入客户 {id} 的站内信箱（标记为测试）。',
  'ch.name.email': '邮件', 'ch.name.sms': '短信', 'ch.name.push': '推送', 'ch.name.wechat': '微信', 'ch.name.inapp': '站内信',
  'ch.edit': '修改', 'ch.set_up': '设置', 'ch.enabled_label': '开启渠道（关闭时消息留在发件箱等待）',
  'ch.rate_label': '每秒消息数（留空：不限）', 'ch.from': '开始', 'ch.until': '结束',
  'ch.timezone': '时区（留空：UTC）', 'ch.keep_secret': '留空则保持不变',
  'ch.opt.url': '服务器地址', 'ch.opt.username': '用户名', 'ch.opt.reply_to': '回复地址',
  'ch.opt.unsubscribe_mailto': '退订邮箱', 'ch.opt.tracking_url': '追踪地址（encore serve）',
  'ch.opt.starttls': '要求 STARTTLS', 'ch.opt.shape': '消息格式（generic、sms、push、wechat、fcm、apns）',
  'ch.opt.template_id': '微信模板', 'ch.opt.timeout': '超时（秒）', 'ch.opt.path': '文件名',
  'ch.addr.email': 'you@example.com', 'ch.addr.sms': '+86 138 0000 0000', 'ch.addr.push': '设备令牌', 'ch.addr.wechat': 'OpenID',
  'ch.test_to': '发送测试到', 'ch.test': '发送测试', 'ch.test_sent': '测试消息已发送（服务商编号 {ref}）。',
  'ch.test_failed': '测试消息未发送：{error}',
};

const dicts = { en, 'zh-CN': zh };
export const LOCALES = [
  { code: 'zh-CN', label: '中文' },
  { code: 'en', label: 'English' },
];

function initial() {
  try {
    const saved = localStorage.getItem('encore.locale');
    if (saved && dicts[saved]) return saved;
  } catch (e) {
    /* storage refused: use the browser's */
  }
  for (const l of navigator.languages || [navigator.language || 'en'])
    if (/^zh\b/i.test(l)) return 'zh-CN';
    else if (/^en\b/i.test(l)) return 'en';
  return 'en';
}

const state = { locale: initial(), timeZone: 'UTC', currency: null };

export function locale() {
  return state.locale;
}

export function setLocale(l) {
  if (!dicts[l]) return;
  state.locale = l;
  try {
    localStorage.setItem('encore.locale', l);
  } catch (e) {
    /* not kept: fine */
  }
  document.documentElement.lang = l;
}

// the shop's time zone (IANA name) and currency (ISO 4217), when the API tells them
export function setShop({ timeZone, currency }) {
  if (timeZone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone });
      state.timeZone = timeZone;
    } catch (e) {
      /* unknown zone: keep UTC */
    }
  }
  if (currency && /^[A-Z]{3}$/.test(currency)) state.currency = currency;
}

export function shopZone() {
  return state.timeZone;
}

// t('key', {name: 'x'}) — the message in the current language, {placeholders} filled in
export function t(key, vars) {
  let s = dicts[state.locale][key] ?? en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// a campaign's or a message's state in words; an unknown one as it came
export function stateName(s) {
  const k = 'state.' + s;
  const v = t(k);
  return v === k ? String(s ?? '') : v;
}

export function num(v, digits) {
  if (v == null || Number.isNaN(Number(v))) return '—';
  const o = digits == null ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return new Intl.NumberFormat(state.locale, o).format(Number(v));
}

export function pct(v, digits = 1) {
  if (v == null || Number.isNaN(Number(v))) return '—';
  return new Intl.NumberFormat(state.locale, {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(Number(v));
}

// money: a decimal amount in `currency` (the document's), else the shop's, else a plain number
export function money(v, currency) {
  if (v == null || Number.isNaN(Number(v))) return '—';
  const cur = currency && /^[A-Z]{3}$/.test(currency) ? currency : state.currency;
  if (!cur) return num(v, 2);
  return new Intl.NumberFormat(state.locale, { style: 'currency', currency: cur }).format(Number(v));
}

// API times: RFC 3339 ("2026-12-07T10:00:00Z") or the CLI's UTC "2026-12-07 10:00:00"
export function parseTime(v) {
  if (v == null || v === '') return null;
  if (typeof v === 'number') return new Date(v * 1000);
  let s = String(v).trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return new Date(s + 'T00:00:00Z');
  s = s.replace(' ', 'T');
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(s)) s += 'Z';
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function dateTime(v) {
  const d = parseTime(v);
  if (!d) return v == null ? '—' : String(v);
  return new Intl.DateTimeFormat(state.locale, {
    timeZone: state.timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(d);
}

export function date(v) {
  const d = parseTime(v);
  if (!d) return v == null ? '—' : String(v);
  return new Intl.DateTimeFormat(state.locale, { timeZone: state.timeZone, dateStyle: 'medium' }).format(d);
}
