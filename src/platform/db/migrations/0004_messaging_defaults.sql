-- Default interest taxonomy (administrators can change it) and the first consent wordings.
INSERT INTO "msg_interests" ("id", "name", "name_cy", "sort_order") VALUES
  ('appeals', 'Appeals and missing people', 'Apeliadau a phobl ar goll', 10),
  ('crime-alerts', 'Crime alerts', 'Rhybuddion trosedd', 20),
  ('scams-fraud', 'Scams and fraud', 'Sgamiau a thwyll', 30),
  ('rural-crime', 'Rural crime', 'Troseddau cefn gwlad', 40),
  ('business-crime', 'Business crime', 'Troseddau busnes', 50),
  ('road-safety', 'Road safety', 'Diogelwch ar y ffyrdd', 60),
  ('events', 'Events and meetings', 'Digwyddiadau a chyfarfodydd', 70),
  ('consultations', 'Surveys and consultations', 'Arolygon ac ymgynghoriadau', 80),
  ('volunteering', 'Volunteering and recruitment', 'Gwirfoddoli a recriwtio', 90),
  ('watch-schemes', 'Watch scheme news', 'Newyddion cynlluniau gwylio', 100)
ON CONFLICT ("id") DO NOTHING;
--> statement-breakpoint
INSERT INTO "msg_consent_wordings" ("organisation", "purpose", "version", "text") VALUES
  ('force', 'alerts', 1, 'I agree that the police force may send me community messages (alerts, appeals, crime updates, advice and invitations) about the places and interests I choose, by the channels I choose. I can change my choices or stop at any time.'),
  ('opcc', 'alerts', 1, 'I agree that the Office of the Police and Crime Commissioner may send me messages about consultations, meetings and the Police and Crime Plan for the places and interests I choose, by the channels I choose. I can change my choices or stop at any time.')
ON CONFLICT DO NOTHING;
