-- Room on each page of channel_states for a newer version of its rows: an
-- update then stays on the page (a HOT update, no new primary-key entry),
-- which is most of the intake's traffic once channels are held. With the
-- default (100) almost every update moved its row to another page.
ALTER TABLE channel_states SET (fillfactor = 75);
