"use strict";
document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("error").hidden = !new URLSearchParams(location.search).has("error");
});
