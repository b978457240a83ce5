-- Argo CD health check of a Stampede LoadTest (stampede.dev/v1alpha1), for
-- resource.customizations.health.stampede.dev_LoadTest (see values-health.yaml):
--   Progressing  the test is pending, starting or running, or the operator has not seen the
--                latest spec yet
--   Healthy      it ran and every threshold passed
--   Degraded     a threshold failed, or it could not run (the reason and message say why)
-- A LoadTest applied as a PostSync hook therefore fails the sync when its thresholds fail.
local hs = {status = "Progressing", message = "Waiting for the Stampede operator"}
local status = obj.status
if status == nil then
  return hs
end
local generation = obj.metadata and obj.metadata.generation
if generation ~= nil and status.observedGeneration ~= nil and status.observedGeneration < generation then
  hs.message = "Waiting for the operator to see generation " .. generation
  return hs
end
local function condition(kind)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end
local stalled, ready = condition("Stalled"), condition("Ready")
if (stalled ~= nil and stalled.status == "True") or status.phase == "Failed" then
  hs.status = "Degraded"
  hs.message = (status.reason or "Failed") .. ": " .. (status.message or "")
elseif (ready ~= nil and ready.status == "True") or status.phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = status.message or "Every threshold passed"
elseif status.phase ~= nil then
  hs.message = "The test is " .. status.phase
end
return hs
