package io.keras4j.cli;

import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import java.util.List;

/**
 * The plot as one self-contained HTML page: the SVG inline, pan and zoom (wheel, drag), and a side panel with a
 * clicked layer's config and weight statistics. Nothing is fetched: styles, script and data are in the page. Opening
 * it as {@code page.html#select=LAYER} selects that layer on load (its path, {@code outer/inner} in nested models).
 */
final class PlotHtml {
    private PlotHtml() {}

    static String of(PlotGraph graph, String svg, String title) {
        JsonObject.Builder layers = JsonObject.builder();
        for (PlotGraph.Box b : graph.boxes()) layers.put(b.id(), layerJson(b.path(), b.layer()));
        for (PlotGraph.Cluster c : graph.clusters()) layers.put(c.id(), layerJson(c.path(), c.layer()));
        // '<' never occurs in JSON outside strings, where \u003c means the same: no "</script>" can end the block early.
        String data = KerasJson.toText(layers.build(), false).replace("<", "\\u003c");
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + PlotSvg.escape(title) + "</title>\n<style>\n" + CSS + "</style>\n</head>\n<body>\n"
                + "<main id=\"view\" title=\"Wheel: zoom. Drag: move. Click a layer: its config and weights.\">\n" + svg + "</main>\n"
                + "<aside id=\"panel\">\n<div id=\"tools\"><button id=\"fit\" type=\"button\">Fit</button>"
                + "<button id=\"actual\" type=\"button\">1:1</button></div>\n"
                + "<h1>" + PlotSvg.escape(title) + "</h1>\n"
                + "<h2 id=\"panel-title\">Click a layer</h2>\n<div id=\"panel-body\"></div>\n</aside>\n"
                + "<script type=\"application/json\" id=\"layers\">" + data + "</script>\n"
                + "<script>\n" + SCRIPT + "</script>\n</body>\n</html>\n";
    }

    /** What the panel shows: the layer's Keras config and, per weight, shape, dtype and statistics. */
    private static JsonObject layerJson(String path, Layer layer) {
        List<Weight> weights = layer.nestedModel().map(Model::weights).orElse(layer.weights());
        List<ModelSummary.Named> named = layer.nestedModel().map(m -> ModelSummary.named(m, ""))
                .orElse(weights.stream().map(w -> new ModelSummary.Named(w.name(), w)).toList());
        JsonArray.Builder ws = JsonArray.builder();
        for (ModelSummary.Named n : named) {
            var t = n.weight().value();
            JsonObject.Builder w = JsonObject.builder().put("name", n.name()).put("dtype", t.dtype().kerasName())
                    .put("shape", JsonValue.of(t.shape())).put("trainable", n.weight().trainable());
            WeightStats s = WeightStats.of(t);
            if (s != null) {
                w.put("min", number(s.min())).put("max", number(s.max())).put("mean", number(s.mean()))
                        .put("std", number(s.std())).put("nan", s.nan()).put("inf", s.inf());
            }
            ws.add(w.build());
        }
        return JsonObject.builder().put("path", path).put("name", layer.name()).put("className", layer.className())
                .put("config", layer.config()).put("weights", ws.build()).build();
    }

    private static Object number(double v) { return Double.isNaN(v) ? JsonNull.INSTANCE : (Object) v; }

    private static final String CSS = """
            html, body { margin: 0; height: 100%; font: 14px system-ui, sans-serif; color: #111; }
            body { display: flex; }
            #view { flex: 1; overflow: hidden; cursor: grab; background: #fff; }
            #view.dragging { cursor: grabbing; }
            #view svg { width: 100%; height: 100%; display: block; user-select: none; }
            .layer { cursor: pointer; }
            #panel { width: 480px; max-width: 50%; overflow: auto; border-left: 1px solid #ccc; padding: 10px 14px; background: #fafafa; box-sizing: border-box; }
            #panel h1 { font-size: 14px; font-weight: normal; color: #555; margin: 6px 0; word-break: break-all; }
            #panel h2 { font-size: 16px; margin: 10px 0; word-break: break-all; }
            #tools button { margin-right: 6px; }
            #weights { border-collapse: collapse; font: 12px monospace; margin-bottom: 10px; }
            #weights th, #weights td { border: 1px solid #ddd; padding: 2px 5px; text-align: right; white-space: nowrap; }
            .scroll { overflow-x: auto; }
            #weights th:first-child, #weights td:first-child { text-align: left; }
            #config { font: 12px monospace; white-space: pre-wrap; word-break: break-all; background: #fff; border: 1px solid #ddd; padding: 6px; }
            """;

    private static final String SCRIPT = """
            (function () {
              'use strict';
              var layers = JSON.parse(document.getElementById('layers').textContent);
              var view = document.getElementById('view');
              var svg = view.querySelector('svg');
              var full = svg.getAttribute('viewBox').split(' ').map(Number);
              var box = full.slice();
              svg.removeAttribute('width');
              svg.removeAttribute('height');
              function apply() { svg.setAttribute('viewBox', box.join(' ')); }
              function svgPoint(clientX, clientY) {
                var p = svg.createSVGPoint();
                p.x = clientX; p.y = clientY;
                return p.matrixTransform(svg.getScreenCTM().inverse());
              }
              // Natural size from the top (a 150-layer model is tall); 'Fit' shows everything.
              function actualSize() {
                var w = view.clientWidth || 800, h = view.clientHeight || 600;
                var k = Math.min(1, w / full[2]);
                box = [full[0] + Math.min(0, (full[2] - w / k) / 2), full[1], w / k, h / k];
                apply();
              }
              function fit() { box = full.slice(); apply(); }
              view.addEventListener('wheel', function (e) {
                e.preventDefault();
                var p = svgPoint(e.clientX, e.clientY);
                var f = Math.pow(1.0015, e.deltaY);
                box = [p.x - (p.x - box[0]) * f, p.y - (p.y - box[1]) * f, box[2] * f, box[3] * f];
                apply();
              }, { passive: false });
              var drag = null, moved = false;
              view.addEventListener('mousedown', function (e) {
                drag = { x: e.clientX, y: e.clientY, start: svgPoint(e.clientX, e.clientY), box: box.slice() };
                moved = false;
                view.classList.add('dragging');
              });
              window.addEventListener('mousemove', function (e) {
                if (!drag) return;
                if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 3) moved = true;
                var scale = drag.box[2] / svg.getBoundingClientRect().width;
                var sy = drag.box[3] / svg.getBoundingClientRect().height;
                var s = Math.max(scale, sy);
                box = [drag.box[0] - (e.clientX - drag.x) * s, drag.box[1] - (e.clientY - drag.y) * s, drag.box[2], drag.box[3]];
                apply();
              });
              window.addEventListener('mouseup', function () { drag = null; view.classList.remove('dragging'); });
              function cell(row, text, cls, value) {
                var td = document.createElement(row.parentNode && row.parentNode.tagName === 'THEAD' ? 'th' : 'td');
                td.textContent = text;
                if (cls) td.className = cls;
                if (value !== undefined && value !== null) td.setAttribute('data-value', String(value));
                row.appendChild(td);
              }
              function num(v) { return v === null || v === undefined ? '-' : Number(v).toPrecision(4); }
              function select(id) {
                var old = svg.querySelector('.selected');
                if (old) old.classList.remove('selected');
                var g = document.getElementById(id);
                if (g) g.classList.add('selected');
                var l = layers[id];
                document.getElementById('panel-title').textContent = l.path + ' (' + l.className + ')';
                var body = document.getElementById('panel-body');
                body.textContent = '';
                body.setAttribute('data-layer', l.path);
                var h = document.createElement('h3');
                h.textContent = l.weights.length ? 'Weights' : 'No weights';
                body.appendChild(h);
                if (l.weights.length) {
                  var table = document.createElement('table');
                  table.id = 'weights';
                  var head = table.createTHead().insertRow();
                  ['weight', 'shape', 'dtype', 'min', 'max', 'mean', 'std', 'NaN', 'Inf'].forEach(function (t) { cell(head, t); });
                  var tb = table.createTBody();
                  l.weights.forEach(function (w) {
                    var r = tb.insertRow();
                    r.setAttribute('data-weight', w.name);
                    cell(r, w.name + (w.trainable ? '' : ' (frozen)'), 'name');
                    cell(r, '(' + w.shape.join(', ') + (w.shape.length === 1 ? ',' : '') + ')', 'shape', JSON.stringify(w.shape));
                    cell(r, w.dtype, 'dtype');
                    ['min', 'max', 'mean', 'std'].forEach(function (k) { cell(r, num(w[k]), k, w[k]); });
                    cell(r, w.nan === undefined ? '-' : String(w.nan), 'nan', w.nan);
                    cell(r, w.inf === undefined ? '-' : String(w.inf), 'inf', w.inf);
                  });
                  var scroll = document.createElement('div');
                  scroll.className = 'scroll';
                  scroll.appendChild(table);
                  body.appendChild(scroll);
                }
                var ch = document.createElement('h3');
                ch.textContent = 'Config';
                body.appendChild(ch);
                var pre = document.createElement('pre');
                pre.id = 'config';
                pre.textContent = JSON.stringify(l.config, null, 2);
                body.appendChild(pre);
              }
              view.addEventListener('click', function (e) {
                if (moved) return;
                var g = e.target.closest ? e.target.closest('g.layer, g.cluster') : null;
                if (g && layers[g.id]) select(g.id);
              });
              function fromHash() {
                var m = /^#select=(.*)$/.exec(location.hash);
                if (!m) return;
                var want = decodeURIComponent(m[1]);
                var ids = Object.keys(layers);
                var id = ids.filter(function (k) { return layers[k].path === want; })[0]
                    || ids.filter(function (k) { return layers[k].name === want; })[0];
                if (id) {
                  var g = document.getElementById(id);
                  var bb = g.getBBox();
                  box = [bb.x + bb.width / 2 - box[2] / 2, bb.y + bb.height / 2 - box[3] / 2, box[2], box[3]];
                  apply();
                  g.dispatchEvent(new MouseEvent('click', { bubbles: true }));
                } else {
                  document.getElementById('panel-title').textContent = 'No layer named ' + want;
                }
              }
              document.getElementById('fit').addEventListener('click', fit);
              document.getElementById('actual').addEventListener('click', actualSize);
              window.addEventListener('hashchange', fromHash);
              actualSize();
              fromHash();
            })();
            """;
}
