package report

// css is the page's style sheet: system fonts only, CSS variables for the
// light and dark schemes (prefers-color-scheme) and print. The SVG charts
// take their colours from the same variables.
const css = `
:root{
` + lightVars + `
}
@media (prefers-color-scheme:dark){:root{
 --bg:#0e1116;--card:#161b22;--fg:#e4e8ee;--muted:#98a3b0;--line:#2c333d;--grid:#222a33;--stripe:#1a2029;
 --ok:#4ac26b;--ok-bg:#12301c;--warn:#e3a33b;--warn-bg:#33260f;--err:#ff6b6b;--err-bg:#3a1618;--info:#6cb6ff;--info-bg:#10263d;
 --inc:#9aa5b1;--inc-bg:#222a33;
 --c-rate:#6ea8ff;--c-rtt:#3cc7c9;--c-lost:#ff6b6b;--c-retx:#ffb347;--c-nak:#b794f6;--c-late:#f06fb0;
 --c-key:#34d399;--c-drop:#f59e0b;--c-stall:#64748b;--c-lat:#f06fb0;
}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
body{margin:0;padding:0 24px 24px}
main,#report-header,#report-footer{max-width:1200px;margin:0 auto}
#report-header{padding:18px 0 6px;display:flex;align-items:baseline;gap:14px}
#report-header h1{font-size:22px;margin:0;font-weight:650}
.brand{font:600 12px/1 var(--mono);letter-spacing:.08em;text-transform:uppercase;color:#fff;background:var(--c-rate);padding:5px 7px;border-radius:4px}
h2,h3,h4{margin:0;font-weight:620}
h3{font-size:16px;margin:0 0 10px}
h4{font-size:14px;margin:0 0 4px}
code{font-family:var(--mono);font-size:.92em}
a{color:var(--info)}
.muted{color:var(--muted);font-weight:400}
.note{color:var(--muted);font-size:13px;margin:6px 0}
.none{color:var(--muted);margin:4px 0}
.none.ok{color:var(--ok);font-weight:550}
.check{display:inline-block;margin-right:4px}
.capture{margin:18px 0 36px}
.capture>section,.capture-header{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:0 0 14px}
.kicker{margin:0;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.06em}
.file{font:600 19px/1.3 var(--mono);word-break:break-all;margin:2px 0 12px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:var(--bg)}
.card .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
.card .v{font-size:22px;font-weight:650;margin:2px 0}
.card .s{font-size:12.5px;color:var(--muted)}
.health-ok{border-color:var(--ok);background:var(--ok-bg)}.health-ok .v{color:var(--ok)}
.health-warn{border-color:var(--warn);background:var(--warn-bg)}.health-warn .v{color:var(--warn)}
.health-err{border-color:var(--err);background:var(--err-bg)}.health-err .v{color:var(--err)}
.read-error{margin:10px 0 0;padding:8px 10px;border-radius:6px;background:var(--warn-bg);color:var(--warn)}
.finding-list{list-style:none;margin:0;padding:0;display:grid;gap:8px}
.finding{display:flex;gap:10px;align-items:flex-start;padding:10px 12px;border-radius:8px;border-left:4px solid var(--info);background:var(--info-bg)}
.finding.level-error{border-color:var(--err);background:var(--err-bg)}
.finding.level-warning{border-color:var(--warn);background:var(--warn-bg)}
.finding p{margin:3px 0 0}
.fq+.fq{margin-top:8px}
.fcount{font-weight:600;margin-bottom:4px}
.finding p.also{margin-top:8px;font-size:13px;color:var(--muted)}
.fhead{font-size:12.5px;color:var(--muted)}
.conn-ref{font-family:var(--mono);color:inherit}
.badge{flex:none;font:700 11px/1 var(--mono);text-transform:uppercase;padding:4px 6px;border-radius:4px;color:#fff;background:var(--info)}
.level-error .badge{background:var(--err)}.level-warning .badge{background:var(--warn)}
.code{font-family:var(--mono);font-size:12px;color:var(--muted)}
.conn-findings{list-style:none;padding:0;margin:0 0 12px;display:grid;gap:4px;font-size:13px}
.conn-findings li{padding:6px 8px;border-radius:6px;background:var(--bg)}
.conn-findings .badge{padding:3px 5px;font-size:10px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:13px}
.conns{width:100%}
.scroll.tall{max-height:460px;overflow:auto;border:1px solid var(--line);border-radius:6px}
.scroll.tall thead th{position:sticky;top:0;background:var(--card)}
.conns td.sid{max-width:220px;overflow:hidden;text-overflow:ellipsis}
.conns{font-size:12.5px}
.conns th,.conns td{padding:4px 7px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
.conns thead th{font-size:12px;color:var(--muted);font-weight:600}
.conns .num{text-align:right;font-variant-numeric:tabular-nums}
.conns tr.oc-rej .oc{color:var(--err)}.conns tr.oc-ok .oc{color:var(--ok)}
.connection{border-top:4px solid var(--inc)}
.connection.oc-ok{border-top-color:var(--ok)}.connection.oc-rej{border-top-color:var(--err)}
.conn-header h3{display:flex;flex-wrap:wrap;align-items:center;gap:8px;font-size:16px;margin:0}
.conn-header .num{font-family:var(--mono);color:var(--muted)}
.conn-header b{font-family:var(--mono);font-weight:600}
.conn-sub{margin:4px 0 12px;color:var(--muted);font-size:13px}
.pill{font-size:12px;font-weight:650;padding:3px 9px;border-radius:999px;background:var(--inc-bg);color:var(--inc)}
.pill.ok{background:var(--ok-bg);color:var(--ok)}.pill.rej{background:var(--err-bg);color:var(--err)}
.handshake{display:grid;grid-template-columns:minmax(0,560px) minmax(240px,1fr);gap:18px;align-items:start;margin-bottom:14px}
figure{margin:0}
figcaption{font-weight:600;font-size:13px;margin:0 0 4px}
figcaption .muted{font-weight:400;font-size:12px}
.negotiated{margin:0;display:grid;grid-template-columns:1fr;gap:0;border:1px solid var(--line);border-radius:8px;overflow:hidden}
.negotiated div{display:grid;grid-template-columns:130px 1fr;border-bottom:1px solid var(--line)}
.negotiated div:last-child{border-bottom:0}
.negotiated dt{padding:6px 10px;color:var(--muted);background:var(--bg);font-size:12.5px}
.negotiated dd{margin:0;padding:6px 10px;font-family:var(--mono);font-size:12.5px;overflow-wrap:anywhere}
.direction{border-top:1px solid var(--line);padding-top:12px;margin-top:6px}
.direction .addr,.stats .addr{font:400 12px var(--mono);color:var(--muted)}
.dir-summary{margin:2px 0 10px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:12px 16px;margin-bottom:8px}
.chart-fig{border:1px solid var(--line);border-radius:8px;padding:8px 8px 2px}
svg{display:block;width:100%;height:auto;overflow:visible}
svg text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:var(--fg)}
svg .tick,svg .axis-title,svg .addr,svg .t,svg .det,svg .note,svg .ref-label{fill:var(--muted)}
svg .axis-title.y{font-weight:600}
svg .empty{fill:var(--muted);font-style:italic}
svg .grid{stroke:var(--grid);stroke-width:1}
svg .axis{stroke:var(--muted);stroke-width:1}
svg .series .line{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
svg .series .area{opacity:.16;stroke:none}
svg .series .band{opacity:.22;stroke:none}
svg .series .pt{stroke:var(--card);stroke-width:1}
svg .sw{stroke-width:3}
svg .s-rate .line,svg line.s-rate{stroke:var(--c-rate)}svg .s-rate .area,svg .s-rate .pt{fill:var(--c-rate)}
svg .s-rtt .line,svg line.s-rtt{stroke:var(--c-rtt)}svg .s-rtt .band,svg .s-rtt .pt{fill:var(--c-rtt)}
svg .s-lost .bar,svg rect.s-lost,svg .s-lost .pt{fill:var(--c-lost)}svg .s-lost .line,svg line.s-lost{stroke:var(--c-lost)}
svg .s-retx .bar,svg rect.s-retx,svg .s-retx .pt{fill:var(--c-retx)}svg .s-retx .line,svg line.s-retx{stroke:var(--c-retx)}
svg .s-nak .bar,svg rect.s-nak,svg .s-nak .pt{fill:var(--c-nak)}svg .s-nak .line,svg line.s-nak{stroke:var(--c-nak)}
svg .s-late .bar,svg rect.s-late,svg .s-late .pt{fill:var(--c-late)}svg .s-late .line,svg line.s-late{stroke:var(--c-late)}
svg .s-retx .line,svg line.s-retx{stroke-dasharray:7 4}
svg .s-nak .line,svg line.s-nak{stroke-dasharray:2 3}
svg path.mark{stroke-width:1.5;stroke-dasharray:4 3}
svg path.m-keyrefresh{fill:var(--c-key);stroke:var(--c-key)}
svg path.m-dropreq{fill:var(--c-drop);stroke:var(--c-drop)}
svg path.mk{stroke:none}
svg .span.m-stall{fill:var(--c-stall);opacity:.22}
svg .ref{stroke:var(--c-lat);stroke-dasharray:6 4;stroke-width:1.2}
svg .ref.m-avg{stroke:var(--muted);stroke-dasharray:3 3}
svg .hover{fill:transparent;pointer-events:all}
svg .hover:hover{fill:var(--fg);fill-opacity:.06}
svg .role{font-weight:650;font-size:12.5px}
svg .lifeline{stroke:var(--line);stroke-width:2}
svg .step .arrow{stroke:var(--info);stroke-width:1.6}svg .step .head{fill:var(--info)}
svg .step.ans .arrow{stroke:var(--ok)}svg .step.ans .head{fill:var(--ok)}
svg .step.rej .arrow{stroke:var(--err);stroke-width:2.2}svg .step.rej .head{fill:var(--err)}svg .step.rej .type{fill:var(--err)}
svg .msg{font-weight:600;font-family:var(--mono);font-size:11.5px}
svg .det{font-size:10.5px}
svg .outcome rect{fill:var(--inc-bg)}svg .outcome.ok rect{fill:var(--ok-bg)}svg .outcome.rej rect{fill:var(--err-bg)}
svg .outcome-label{font-weight:650}svg .outcome.ok .outcome-label{fill:var(--ok)}svg .outcome.rej .outcome-label{fill:var(--err)}
svg .stripe{fill:var(--stripe)}
svg .tl-label{font-family:var(--mono);font-size:11px}
svg .tl-row .bar{fill:var(--inc)}svg .tl-row.ok .bar{fill:var(--ok)}svg .tl-row.rej .bar{fill:var(--err)}
svg .tl-row .bar.storm{fill-opacity:.35;stroke-width:1.5;stroke:var(--err)}
svg .tl-row.ok .bar.storm{stroke:var(--ok)}svg .tl-row.noans .bar.storm,svg .tl-row.inc .bar.storm{stroke:var(--inc)}
svg .rej-mark{fill:var(--err)}
svg .tl-text{font-weight:600}svg .tl-text.ok{fill:var(--ok)}svg .tl-text.rej{fill:var(--err)}svg .tl-text.noans,svg .tl-text.inc{fill:var(--inc)}
svg .tl-text.inbar{fill:#fff}
svg a.tl-row:hover .tl-label{text-decoration:underline}
.stats-wrap{margin-top:12px}
.stats-grid{display:flex;flex-wrap:wrap;gap:10px 28px;align-items:flex-start}
.stats-wrap summary{cursor:pointer;font-weight:600;margin-bottom:6px}
.stats th,.stats td{padding:3px 12px;border-bottom:1px solid var(--grid);text-align:left;white-space:nowrap}
.stats td{font-family:var(--mono);font-size:12.5px;font-variant-numeric:tabular-nums}
.stats thead th{border-bottom:2px solid var(--line);font-size:12.5px}
.stats tbody th{font-weight:400}
.stats tr.lvl1 th{padding-left:26px}.stats tr.lvl2 th{padding-left:40px;color:var(--muted)}
.stats td.unknown{color:var(--muted)}
#report-footer{color:var(--muted);font-size:12.5px;border-top:1px solid var(--line);padding-top:10px}
@media (max-width:800px){.handshake{grid-template-columns:1fr}.charts{grid-template-columns:1fr}body{padding:0 10px 10px}}
@media print{
 :root{` + lightVars + `;--bg:#fff;--card:#fff;--fg:#000;--muted:#444;--line:#bbb;--grid:#ddd;--stripe:#f3f3f3}
 html{font-size:11px}
 body{padding:0}
 .capture>section,.capture-header{border:0;padding:0;margin:0 0 12px}
 .connection{break-before:page;border-top:0}
 .chart-fig,.handshake,.finding,.card,tr{break-inside:avoid}
 .charts{grid-template-columns:1fr 1fr}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 a{color:inherit;text-decoration:none}
 .scroll,.scroll.tall{overflow:visible;max-height:none;border:0}
}
`

// lightVars are the colours of the light scheme, also those of print.
const lightVars = ` --bg:#f4f6f8;--card:#fff;--fg:#1b2129;--muted:#5f6b78;--line:#d8dde3;--grid:#e9ecf0;--stripe:#f6f8fa;
 --ok:#1a7f37;--ok-bg:#e6f4ea;--warn:#9a5b00;--warn-bg:#fff4e0;--err:#c62828;--err-bg:#fdecea;--info:#0b5cad;--info-bg:#e8f1fb;
 --inc:#6b7785;--inc-bg:#eef0f3;
 --c-rate:#2563eb;--c-rtt:#0d8a8c;--c-lost:#d92d20;--c-retx:#e38a00;--c-nak:#7c3aed;--c-late:#c0267a;
 --c-key:#059669;--c-drop:#b45309;--c-stall:#94a3b8;--c-lat:#c0267a;
 --mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;`
