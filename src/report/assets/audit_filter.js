(function(){
  var input=document.getElementById("filter");
  var select=document.getElementById("verdict-filter");
  var shown=document.getElementById("shown");
  var rows=Array.prototype.slice.call(document.querySelectorAll("#violations tbody tr"));
  function apply(){
    var text=input.value.trim().toLowerCase();
    var verdict=select.value;
    var n=0;
    rows.forEach(function(row){
      var match=(!verdict||row.getAttribute("data-verdict")===verdict)&&
        (!text||row.textContent.toLowerCase().indexOf(text)!==-1);
      row.hidden=!match;
      if(match)n++;
    });
    shown.textContent=String(n);
  }
  var params=new URLSearchParams(location.hash.replace(/^#/,""));
  if(params.has("filter"))input.value=params.get("filter");
  if(params.has("verdict"))select.value=params.get("verdict");
  input.addEventListener("input",apply);
  select.addEventListener("change",apply);
  apply();
  document.body.dataset.ready="1";
})();
