import './base.css';
import './cnn.css';
import './mlp.css';
import './rnn.css';
import './glance.css';
