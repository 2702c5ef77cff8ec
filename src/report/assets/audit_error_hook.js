(function(){
  var d=document.documentElement;
  function record(what){d.setAttribute("data-errors",(d.getAttribute("data-errors")||"")+what+"\n");}
  window.onerror=function(msg,src,line,col){record("error: "+msg+" at "+line+":"+col);return false;};
  window.addEventListener("unhandledrejection",function(e){record("rejection: "+e.reason);});
  document.addEventListener("securitypolicyviolation",function(e){
    record("blocked: "+e.violatedDirective+" "+e.blockedURI);});
  var original=console.error;
  console.error=function(){record("console: "+Array.prototype.join.call(arguments," "));
    return original.apply(console,arguments);};
})();
