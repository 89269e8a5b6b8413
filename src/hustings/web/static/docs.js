// The API reference at /docs: Swagger UI (vendored from the swagger-ui-dist npm package,
// see swagger-ui/LICENSE.txt) over /openapi.json. Kept in a file, not inline, because the
// Content-Security-Policy allows scripts from this origin only. "Try it out" works once you
// call POST /api/login here: its CSRF token is remembered and sent on later writes.
(function () {
  var csrf = null;
  window.addEventListener("load", function () {
    window.ui = SwaggerUIBundle({
      url: "/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      requestInterceptor: function (req) {
        if (csrf && req.method && req.method.toUpperCase() !== "GET") {
          req.headers["X-CSRF-Token"] = csrf;
        }
        return req;
      },
      responseInterceptor: function (res) {
        if (res.ok && /\/api\/(login|me)$/.test(res.url) && res.body && res.body.csrf_token) {
          csrf = res.body.csrf_token;
        }
        return res;
      }
    });
  });
})();
