-- The anchor index (anchorId -> roomId of its running live, only with IM callbacks on) is split into
-- ANCHOR_INDEX_BUCKETS small hashes per shard, so each stays listpack-encoded (compact: ~30 bytes an
-- entry instead of ~75 in one big hash). Keep the bucket function in step with anchorIndexBucket in
-- src/store/key-layout.ts.
local ANCHOR_INDEX_BUCKETS = 64

local function anchor_index(tag, anchorId)
  local h = 0
  for i = 1, #anchorId do h = (h * 31 + string.byte(anchorId, i)) % 1048573 end
  return tag .. 'anchors:' .. (h % ANCHOR_INDEX_BUCKETS)
end
