// Swagger UI from the server's own copy (static/vendor), no validator badge (it would call out).
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: root.dataset.spec, dom_id: "#swagger-ui", validatorUrl: null, deepLinking: true });
});
